"""Publishing a draft: the confirmation page (who gets which mail), the publish job and its page."""

"""Published sections: who answered the invitations, sessions that need a decision, the joining link."""

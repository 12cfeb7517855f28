"""Form fields, validators and error handling shared by every data-entry area.

``timezones`` knows the IANA zone names (also used by imports and availability), ``fields``
holds the fields and validators, ``saving`` turns a refused write into a message on the form.
Every message names the field it is about, because a coordinator filling in a long form
needs to know which box to fix.
"""

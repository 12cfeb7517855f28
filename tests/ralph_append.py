"""Start Ralph's LRS API with its file-system backend appending to its statements file.

Run by the Ralph virtualenv's Python (tests/lrs_server.py), never imported by the tests.
Ralph 5.1's file-system LRS backend writes with the INDEX operation, which refuses to write to
its statements file once it exists: every POST after the first answers 500 ("fs_lrs.jsonl
already exists and overwrite is not allowed"). Appending is what an LRS needs; this is the
only change, everything else (validation, duplicate and conflict checks, the xAPI GET API)
is Ralph's own.
Usage: python tests/ralph_append.py HOST PORT
"""

import sys

import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend

FSLRSBackend.default_operation_type = BaseOperationType.APPEND

if __name__ == "__main__":
    uvicorn.run("ralph.api:app", host=sys.argv[1], port=int(sys.argv[2]), log_level="info")

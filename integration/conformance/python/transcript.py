"""How the Python drivers print what the application observes.

Both drivers must print values alike, so that their transcripts compare
with the other languages' (the Go runner diffs them): NULL, bytea as
\\x hex, and anything longer than 200 characters as its length and md5.
"""

import hashlib


def out(line):
    print(line, flush=True)


def digest(b):
    if isinstance(b, str):
        b = b.encode()
    return "<%d bytes md5 %s>" % (len(b), hashlib.md5(b).hexdigest())


def fmt(v):
    if v is None:
        return "NULL"
    if isinstance(v, (bytes, bytearray, memoryview)):
        v = "\\x" + bytes(v).hex()
    else:
        v = str(v)
    return digest(v) if len(v) > 200 else v

"""An overview call with nothing but Python's standard library, as an existing
integration makes it: a form POST, the answer parsed with ElementTree (which
reads the ISO-8859-1 declaration and the character references for what
Latin-1 cannot hold).

    python3 overview_client.py BASE_URL PATH API_USER API_KEY USER

Prints one JSON line: the status, the answer's bytes (base64) and, for XML,
its fields as text."""
import base64
import json
import sys
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ElementTree

base_url, path, api_user, api_key, user = sys.argv[1:6]
body = urllib.parse.urlencode({"api_user": api_user, "api_key": api_key, "task": "overview", "user": user})
request = urllib.request.Request(base_url + path, data=body.encode("ascii"), method="POST")
try:
    with urllib.request.urlopen(request, timeout=30) as response:
        status, data = response.status, response.read()
except urllib.error.HTTPError as error:
    status, data = error.code, error.read()
fields = {}
if path.endswith(".xml"):
    root = ElementTree.fromstring(data)
    fields = {child.tag: child.text for child in root.iter() if child is not root}
print(json.dumps({"status": status, "body": base64.b64encode(data).decode("ascii"), "fields": fields}))

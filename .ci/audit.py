"""Reads pip-audit's JSON: fails on a known vulnerability with a fixed version; says loudly what
could not be audited (this workplace's network reaches no advisory service)."""

import json
import sys
from pathlib import Path

deps = json.loads(Path(sys.argv[1]).read_text())["dependencies"]
skipped = sorted(d["name"] for d in deps if "skip_reason" in d)
fixable = [
    f"{d['name']} {d['version']}: {v['id']} fixed in {', '.join(v['fix_versions'])}"
    for d in deps
    for v in d.get("vulns", [])
    if v.get("fix_versions")
]
audited = len(deps) - len(skipped)
print("\n".join(fixable) or f"pip-audit: {audited} packages audited, none with a fixable vulnerability")
if skipped:
    print(
        f"pip-audit: WARNING {len(skipped)} of {len(deps)} packages were NOT audited "
        f"(advisory service unreachable from here): {', '.join(skipped[:8])} ...",
        file=sys.stderr,
    )
sys.exit(1 if fixable else 0)

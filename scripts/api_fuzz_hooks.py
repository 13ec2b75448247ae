"""A schemathesis check for the shared server: no response shows anything from outside
the caller's scope. HSPLAN_OUTSIDE_NAMES lists names (|-separated) of units and facilities
outside the scope of the token in use; none may appear in any response body."""
import os

import schemathesis

OUTSIDE = [n for n in os.environ.get("HSPLAN_OUTSIDE_NAMES", "").split("|") if n]


@schemathesis.check
def no_data_outside_scope(ctx, response, case):
    text = response.content.decode("utf-8", "replace")
    for name in OUTSIDE:
        if name in text:
            raise AssertionError(f"the response shows `{name}`, which is outside the caller's scope")

"""Admin of reviewed content, one module a job:

- base.py: ReviewedContentAdmin, which the article and FAQ entry admins build on (form, list, bulk actions,
  change page); columns.py: its governance columns and fields;
- steps.py: the one view that serves every workflow step (submit, approve, send back, archive, revert);
- history.py: the kept versions, one version, and the diff between two;
- versions.py: ContentVersionAdmin and the review schedule page.
"""

from portal.content.admin import versions  # noqa: F401  (registers ContentVersionAdmin)
from portal.content.admin.base import ReviewedContentAdmin

__all__ = ["ReviewedContentAdmin"]

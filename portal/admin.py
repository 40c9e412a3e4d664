from portal import admin_content  # noqa: F401 - registers content versions and the audit log

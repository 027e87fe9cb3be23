"""Passport history: the audit trail and passport versions (``audit``), lineage of
passport issues (``lineage``) and the caller-facing history reads (``service``)."""

"""What the directory refuses, each naming what was wrong (the API maps the codes to SCIM and problem+json)."""

from __future__ import annotations

from application.errors import ApplicationError


class UnknownPersonError(ApplicationError):
    """An id that names no (active) person of the directory."""

    code = "unknown_person"


class UnknownGroupError(ApplicationError):
    code = "unknown_group"


class UserNameTakenError(ApplicationError):
    """Another person already has this user name (user names compare without case, as SCIM's userName)."""

    code = "user_name_taken"


class PersonExistsError(ApplicationError):
    code = "person_exists"


class ReportingLoopError(ApplicationError):
    """The new manager reports, directly or not, to the person: a loop nobody could decide a review in."""

    code = "reporting_loop"


class DirectoryVersionMismatchError(ApplicationError):
    """The caller read another version (a stale ETag): nothing was stored."""

    code = "version_mismatch"


class NotReportingManagerError(ApplicationError):
    """A draft names a manager who is not the owner's manager in the directory (or the owner has none)."""

    code = "not_the_reporting_manager"

"""Treatments and their reading lists, patients, sessions, their items, reading records and questions.

One module per part (pages: the one place that knows the kinds of page to read); everything is importable
from here, as `portal.reading.models.X`.
"""

from portal.reading.models.checks import (
    TEACH_BACK_TRIES,
    ChecklistAnswer,
    ChecklistItem,
    TeachBackAnswer,
    teach_back_progress,
)
from portal.reading.models.interop import (
    AppointmentTypeMapping,
    InterfaceChannel,
    InterfaceMessage,
    InterfaceResult,
)
from portal.reading.models.items import (
    ItemState,
    PatientQuestion,
    ProgressReport,
    ReadingRecord,
    SessionItem,
    SessionItemQuerySet,
    question_text_key,
)
from portal.reading.models.messages import (
    MessageChannel,
    MessageKind,
    MessageStatus,
    OutgoingMessage,
    ReminderRule,
    reading_pending_q,
)
from portal.reading.models.pages import (
    PAGE_FIELDS,
    PAGE_LABELS,
    PageReference,
    available_page_keys,
    page_bulky_fields,
    page_field_for,
    page_live_entries,
    page_q,
    page_relations,
)
from portal.reading.models.rules import item_done_q, valid_link_q
from portal.reading.models.sessions import (
    Patient,
    SessionQuerySet,
    SessionSource,
    SessionStatus,
    TreatmentSession,
    hash_token,
)
from portal.reading.models.treatments import ReadingFrequency, ReadingListItem, Treatment

__all__ = [
    "PAGE_FIELDS",
    "TEACH_BACK_TRIES",
    "ChecklistAnswer",
    "ChecklistItem",
    "TeachBackAnswer",
    "teach_back_progress",
    "PAGE_LABELS",
    "AppointmentTypeMapping",
    "InterfaceChannel",
    "InterfaceMessage",
    "InterfaceResult",
    "ItemState",
    "MessageChannel",
    "MessageKind",
    "MessageStatus",
    "OutgoingMessage",
    "PageReference",
    "Patient",
    "PatientQuestion",
    "ProgressReport",
    "ReadingFrequency",
    "ReadingListItem",
    "ReadingRecord",
    "ReminderRule",
    "SessionItem",
    "SessionItemQuerySet",
    "SessionQuerySet",
    "SessionSource",
    "SessionStatus",
    "Treatment",
    "TreatmentSession",
    "available_page_keys",
    "hash_token",
    "item_done_q",
    "page_bulky_fields",
    "page_field_for",
    "page_live_entries",
    "page_q",
    "page_relations",
    "question_text_key",
    "reading_pending_q",
    "valid_link_q",
]

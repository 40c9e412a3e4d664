"""HL7 v2 ER7 text read by segment and position with the message's own separators (escapes undone), HL7 times,
and the control id of a message that may not parse."""

import datetime
import re
import zoneinfo

from django.conf import settings

_DTM_RE = re.compile(r"^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:\.(\d{1,4}))?([+-]\d{4})?$")
_CONTROL_ID_RE = re.compile(r"^MSH(.)(?:[^\r\n]*?\1){8}([^\r\n]*?)(?:\1|[\r\n]|$)")


# ER7 -------------------------------------------------------------------------------------------------


class Er7:
    """Fields of a message by segment and position, with the message's own separators, escapes undone."""

    def __init__(self, text: str):
        self.segments = [line for line in re.split(r"\r\n|\r|\n", text) if line.strip()]
        msh = self.segments[0]
        self.field_sep = msh[3]
        self.component_sep, self.repetition_sep, self.escape, self.subcomponent_sep = (msh[4:8] + "^~\\&")[:4]

    def all(self, name: str) -> list[list[str]]:
        """Each segment called `name`, as its list of fields (index n is field n, also for MSH)."""
        found = []
        for line in self.segments:
            if line[:3] == name:
                fields = line.split(self.field_sep)
                found.append([name, self.field_sep, *fields[1:]] if name == "MSH" else fields)
        return found

    def field(self, segment: list[str] | None, number: int) -> str:
        return segment[number] if segment is not None and number < len(segment) else ""

    def repetitions(self, value: str) -> list[str]:
        return [rep for rep in value.split(self.repetition_sep) if rep]

    def components(self, value: str) -> list[str]:
        return [self.unescape(part) for part in value.split(self.component_sep)]

    def component(self, value: str, number: int) -> str:
        parts = self.components(value)
        return parts[number - 1].strip() if number <= len(parts) else ""

    def subcomponent(self, value: str, number: int) -> str:
        parts = value.split(self.subcomponent_sep)
        return parts[number - 1].strip() if number <= len(parts) else ""

    def unescape(self, value: str) -> str:
        e = self.escape
        for code, char in (("F", self.field_sep), ("S", self.component_sep), ("T", self.subcomponent_sep)):
            value = value.replace(f"{e}{code}{e}", char)
        return value.replace(f"{e}R{e}", self.repetition_sep).replace(f"{e}E{e}", e)

    def escaped(self, value: str) -> str:
        e = self.escape
        value = value.replace(e, f"{e}E{e}")
        for code, char in (("F", self.field_sep), ("S", self.component_sep), ("T", self.subcomponent_sep)):
            value = value.replace(char, f"{e}{code}{e}")
        return value.replace(self.repetition_sep, f"{e}R{e}")


def parse_dtm(value: str) -> datetime.datetime | None:
    """An HL7 DTM/TS ("YYYYMMDDHHMM[SS[.S]][+ZZZZ]") as an aware datetime; no zone means the clinic's zone."""
    match = _DTM_RE.match(value.strip())
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        moment = datetime.datetime(
            int(year),
            int(month or 1),
            int(day or 1),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            int((fraction or "0").ljust(6, "0")[:6]),
        )
    except ValueError:
        return None
    if zone:
        sign = 1 if zone[0] == "+" else -1
        offset = datetime.timedelta(hours=int(zone[1:3]), minutes=int(zone[3:5]))
        return moment.replace(tzinfo=datetime.timezone(sign * offset))
    return moment.replace(tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))


def control_id_of(text: str) -> str:
    """MSH-10 of a message that may not parse, for the NAK and the record ("" when there is none)."""
    match = _CONTROL_ID_RE.match(text.lstrip())
    return match.group(2)[:64] if match else ""

"""The published SIU test messages (testdata/hl7/README.md) and the other events of the same appointment,
derived by changing only MSH-7, MSH-9, MSH-10 and SCH-11."""

import pathlib
import re

TESTDATA = pathlib.Path(__file__).parent / "testdata"


def published(name: str) -> str:
    return (TESTDATA / "hl7" / name).read_text()


def derive(text: str, *, event=None, control_id=None, time=None, start=None, sch8=None) -> str:
    """The message with another event (e.g. "S15"), control id, MSH-7 time, SCH-11.4 start or SCH-8 code."""
    segments = [segment.split("|") for segment in re.split(r"\r\n|\r|\n", text.strip("\r\n"))]
    for fields in segments:
        if fields[0] == "MSH":
            if event:
                fields[8] = f"SIU^{event}"
            if control_id:
                fields[9] = control_id
            if time:
                fields[6] = time
        if fields[0] == "SCH":
            if start:
                fields[11] = f"^^^{start}"
            if sch8:
                fields[8] = sch8
    return "\r".join("|".join(fields) for fields in segments) + "\r"


def corepoint(**changes) -> str:
    """Corepoint Health's SIU^S14 (appointment 00331839401 of CTX, patient 489671, type HLCK), changed."""
    return derive(published("corepoint-siu-s14.hl7"), **changes)

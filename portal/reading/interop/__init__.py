"""Interfaces with the clinic's EHR: HL7 v2 SIU messages (hl7: read and answer; mllp: the listener) and FHIR R4
Appointments (fhir). They read messages into AppointmentEvents; portal.reading.services.appointments applies
them and keeps the record of every message."""

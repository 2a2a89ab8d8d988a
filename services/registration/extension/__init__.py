"""Extension of use (käytön laajennus): change notices (R9), deployment tests (R10) and the
Kanta customership (R8), beside the registrations in the registration service."""

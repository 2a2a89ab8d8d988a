"""Pure rules of registration: identifiers, states, the form (R3–R8) and extension of use."""

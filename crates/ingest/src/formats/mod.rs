//! Format readers.

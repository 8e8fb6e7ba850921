//! Everything written in natural language: names, product words, profiles, listings, messages.

pub mod catalog;
pub mod lexicon;
pub mod names;
pub mod prose;

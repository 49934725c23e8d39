//! hookproof for actix (being written).

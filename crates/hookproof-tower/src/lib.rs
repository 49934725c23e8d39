//! hookproof for tower (being written).

//! hookproof for axum (being written).

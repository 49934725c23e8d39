//! Smile receiver (being written).
fn main() {}

//! Neural-network building blocks with explicit `forward` / `backward`.

pub mod float;

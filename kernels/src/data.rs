//! Small datasets embedded in the binary (see `kernels/data/README.md` for sources and licences).

pub mod digits;
pub mod karate;

//! Deep metric learning on the 8×8 digits: a network `f` learns an embedding space in which
//! the distance between two digits says how similar they are — same class close, different
//! classes far. Two kernels train the same 2-D embedding network with different losses:
//!
//! - [`siamese`]: pairs and the contrastive loss (Hadsell, Chopra & LeCun 2006);
//! - [`triplet`]: anchor / positive / negative triplets and the triplet loss (FaceNet, Schroff
//!   et al. 2015), with triplet mining ([`mining`]) and the quadruplet loss (Chen et al. 2017).
//!
//! [`embed`] holds the network, [`eval`] the measures (Recall@1, class distances, the PCA
//! baseline) and [`setup`] what both kernels share.

pub mod embed;
pub mod eval;
pub mod mining;
pub mod report;
pub mod siamese;
pub mod triplet;

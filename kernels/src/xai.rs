//! Explainability (説明性): kernels that open the black box.
//!
//! - [`cam`]: CAM, Grad-CAM and Integrated Gradients on a small GAP CNN ([`gap_cnn`],
//!   [`saliency`]) trained on synthetic shapes with a distractor ([`shapes`]).
//! - [`lime`] and [`shap`]: local surrogates and Shapley values for a tabular MLP trained on a
//!   synthetic task whose true dependence is known ([`tabular`]).

pub mod cam;
pub mod gap_cnn;
pub mod lime;
pub mod saliency;
pub mod shap;
pub mod shapes;
pub mod tabular;

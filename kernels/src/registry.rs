//! The kernel registry: the only way the app finds kernels. It sits above every kernel;
//! nothing imports from it but the app.

use crate::kernel::KernelInfo;

/// Every kernel, in teaching order.
pub fn all() -> &'static [KernelInfo] {
    KERNELS
}

/// The kernel with id `id`.
pub fn find(id: &str) -> Option<&'static KernelInfo> {
    KERNELS.iter().find(|k| k.id == id)
}

const KERNELS: &[KernelInfo] = &[
    crate::gan::KERNEL,
    crate::dcgan::KERNEL,
    crate::cgan::KERNEL,
    crate::pix2pix::KERNEL,
    crate::rl::a2c::KERNEL,
    crate::rl::a3c::KERNEL,
    crate::metric::siamese::KERNEL,
    crate::metric::triplet::KERNEL,
    crate::maml::KERNEL,
    crate::gcn::KERNEL,
    crate::xai::cam::KERNEL,
    crate::xai::lime::KERNEL,
    crate::xai::shap::KERNEL,
    crate::docker::KERNEL,
    crate::norm::KERNEL,
];

#include "ada/io/Kabsch.h"

#include <Eigen/LU>
#include <Eigen/SVD>

namespace ada {

Eigen::Matrix3d kabschRotation(const Eigen::Ref<const PointMatrix>& x, const Eigen::Ref<const PointMatrix>& y, bool allowReflection) {
    const Eigen::RowVector3d cx = x.colwise().mean(), cy = y.colwise().mean();
    const Eigen::Matrix3d h = (x.rowwise() - cx).transpose() * (y.rowwise() - cy);
    Eigen::JacobiSVD<Eigen::Matrix3d> svd(h, Eigen::ComputeFullU | Eigen::ComputeFullV);
    const Eigen::Matrix3d& u = svd.matrixU();
    const Eigen::Matrix3d& v = svd.matrixV();
    Eigen::Vector3d d(1.0, 1.0, 1.0);
    if (!allowReflection && (v * u.transpose()).determinant() < 0)
        d(2) = -1.0;
    return v * d.asDiagonal() * u.transpose();
}

}  // namespace ada

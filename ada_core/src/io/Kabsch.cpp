#include "ada/io/Kabsch.h"

#include <Eigen/LU>
#include <Eigen/SVD>

namespace ada {

Eigen::MatrixXd kabschOrthogonal(const Eigen::Ref<const Eigen::MatrixXd>& x, const Eigen::Ref<const Eigen::MatrixXd>& y, bool allowReflection) {
    const Eigen::RowVectorXd cx = x.colwise().mean(), cy = y.colwise().mean();
    const Eigen::MatrixXd h = (x.rowwise() - cx).transpose() * (y.rowwise() - cy);
    Eigen::JacobiSVD<Eigen::MatrixXd> svd(h, Eigen::ComputeFullU | Eigen::ComputeFullV);
    const Eigen::MatrixXd& u = svd.matrixU();
    const Eigen::MatrixXd& v = svd.matrixV();
    Eigen::VectorXd d = Eigen::VectorXd::Ones(h.rows());
    if (!allowReflection && (v * u.transpose()).determinant() < 0)
        d(h.rows() - 1) = -1.0;
    return v * d.asDiagonal() * u.transpose();
}

Eigen::Matrix3d kabschRotation(const Eigen::Ref<const PointMatrix>& x, const Eigen::Ref<const PointMatrix>& y, bool allowReflection) {
    return kabschOrthogonal(Eigen::MatrixXd(x), Eigen::MatrixXd(y), allowReflection);
}

}  // namespace ada

#pragma once
// Optimal superposition of two point sets (Kabsch 1976). For centred points x_i, y_i (rows of X, Y, N x 3),
// the rotation minimising sum_i ||R x_i - y_i||^2 is
//   H = X^T Y = U S V^T (SVD),   R = V diag(1, 1, d) U^T,   d = sign(det(V U^T)),
// where d = -1 turns the best orthogonal matrix into the best proper rotation (det R = +1, no reflection).
// With reflections allowed (as geometric W2 between unlabelled configurations does, DESIGN.md §5) d = 1.
#include <Eigen/Core>
#include <Eigen/Dense>

namespace ada {

using PointMatrix = Eigen::Matrix<double, Eigen::Dynamic, 3, Eigen::RowMajor>;

/** The rotation R (3 x 3) taking the centred rows of x onto the centred rows of y in the least-squares sense. */
Eigen::Matrix3d kabschRotation(const Eigen::Ref<const PointMatrix>& x, const Eigen::Ref<const PointMatrix>& y,
                               bool allowReflection = false);
/** The same in any dimension S: x, y are N x S (points in rows); returns the S x S orthogonal matrix. */
Eigen::MatrixXd kabschOrthogonal(const Eigen::Ref<const Eigen::MatrixXd>& x, const Eigen::Ref<const Eigen::MatrixXd>& y,
                                 bool allowReflection = false);

}  // namespace ada

#pragma once
// A 2-D convolution layer of a bias function (DESIGN.md §3.3: the CNN critic of an image observable), on one
// image [C_in, H, W] stored row-major as a vector, with kernel K [C_out, C_in, k, k] (stored as the matrix
// [C_out, C_in·k·k]), stride s and zero padding p:
//   z[o, i, j] = b[o] + Σ_{c, u, v} K[o, c, u, v] · x[c, s·i − p + u, s·j − p + v]   (x = 0 outside the image),
//   output [C_out, H', W'] with H' = ⌊(H + 2p − k)/s⌋ + 1, W' likewise.
// The input gradient (the transposed convolution) is
//   ∂L/∂x[c, y, x'] = Σ_{o, i, j, u, v: s·i − p + u = y, s·j − p + v = x'} K[o, c, u, v] · ∂L/∂z[o, i, j].
// Both cost C_out·C_in·k²·H'·W' operations, where the same map written as a dense matrix costs
// C_out·H'·W'·C_in·H·W (and as much memory).
#include <cstdint>
#include <string>

#include <Eigen/Core>

namespace ada {

struct Convolution2D {
    int64_t inChannels = 1, height = 1, width = 1, outChannels = 1, kernel = 3, stride = 1, padding = 1;

    int64_t outputHeight() const { return (height + 2 * padding - kernel) / stride + 1; }
    int64_t outputWidth() const { return (width + 2 * padding - kernel) / stride + 1; }
    int64_t inputSize() const { return inChannels * height * width; }
    int64_t outputSize() const { return outChannels * outputHeight() * outputWidth(); }

    /** Throws SpecError naming `where` unless the sizes are positive, padding < kernel and the output is not empty,
     *  and the kernel matrix is [outChannels, inChannels·kernel²] with `bias` of outChannels entries. */
    void check(const Eigen::MatrixXd& weight, const Eigen::VectorXd& bias, const std::string& where) const;
    /** z = K * x + b (x: inputSize() values, z: outputSize() values). */
    void forward(const Eigen::MatrixXd& weight, const Eigen::VectorXd& bias, const double* x, double* z) const;
    /** gradX = K^T gradZ (the transposed convolution; gradX: inputSize() values, overwritten). */
    void backward(const Eigen::MatrixXd& weight, const double* gradZ, double* gradX) const;
};

}  // namespace ada

#include "ada/bias/Convolution2D.h"

#include <algorithm>

#include "ada/io/SpecError.h"

namespace ada {

void Convolution2D::check(const Eigen::MatrixXd& weight, const Eigen::VectorXd& bias, const std::string& where) const {
    const int64_t kMax = 1000000;  // per size: keeps every product below int64 overflow
    for (const int64_t size : {inChannels, height, width, outChannels, kernel, stride, padding})
        if (size > kMax)
            throw SpecError(where + ": convolution sizes above " + std::to_string(kMax) + " are refused, found " + std::to_string(size));
    if (inChannels < 1 || height < 1 || width < 1 || outChannels < 1 || kernel < 1 || stride < 1 || padding < 0 || padding >= kernel)
        throw SpecError(where + ": a convolution needs input channels, height, width, output channels, kernel and stride >= 1 and "
                        "0 <= padding < kernel, found input [" + std::to_string(inChannels) + ", " + std::to_string(height) + ", " +
                        std::to_string(width) + "], " + std::to_string(outChannels) + " output channels, kernel " + std::to_string(kernel) +
                        ", stride " + std::to_string(stride) + ", padding " + std::to_string(padding));
    if (inputSize() > (int64_t(1) << 30) || outputSize() > (int64_t(1) << 30))
        throw SpecError(where + ": a convolution of more than 2^30 values is refused, found input [" + std::to_string(inChannels) + ", " +
                        std::to_string(height) + ", " + std::to_string(width) + "] and " + std::to_string(outChannels) + " output channels");
    if (height + 2 * padding < kernel || width + 2 * padding < kernel)
        throw SpecError(where + ": the " + std::to_string(kernel) + "x" + std::to_string(kernel) + " kernel is larger than the padded " +
                        std::to_string(height) + "x" + std::to_string(width) + " image");
    if (weight.rows() != outChannels || weight.cols() != inChannels * kernel * kernel)
        throw SpecError(where + ": the kernel must be [" + std::to_string(outChannels) + ", " + std::to_string(inChannels * kernel * kernel) +
                        "] (output channels x input channels · kernel²), found [" + std::to_string(weight.rows()) + ", " +
                        std::to_string(weight.cols()) + "]");
    if (bias.size() != outChannels)
        throw SpecError(where + ": bias has " + std::to_string(bias.size()) + " entries but the convolution has " +
                        std::to_string(outChannels) + " output channels");
}

namespace {

// Calls tap(k, inputIndex, outputIndex) for every kernel entry k = K[o, c, u, v] and every output pixel whose
// window covers an input pixel inside the image: the one walk that forward (z += k x) and backward
// (gradX += k gradZ) share.
template <class Tap>
void forEachTap(const Convolution2D& conv, const Eigen::MatrixXd& weight, Tap&& tap) {
    const int64_t oh = conv.outputHeight(), ow = conv.outputWidth(), k = conv.kernel;
    for (int64_t o = 0; o < conv.outChannels; ++o)
        for (int64_t c = 0; c < conv.inChannels; ++c)
            for (int64_t u = 0; u < k; ++u)
                for (int64_t v = 0; v < k; ++v) {
                    const double w = weight(o, (c * k + u) * k + v);
                    for (int64_t i = 0; i < oh; ++i) {
                        const int64_t row = conv.stride * i - conv.padding + u;
                        if (row < 0 || row >= conv.height)
                            continue;
                        for (int64_t j = 0; j < ow; ++j) {
                            const int64_t col = conv.stride * j - conv.padding + v;
                            if (col >= 0 && col < conv.width)
                                tap(w, (c * conv.height + row) * conv.width + col, (o * oh + i) * ow + j);
                        }
                    }
                }
}

}  // namespace

void Convolution2D::forward(const Eigen::MatrixXd& weight, const Eigen::VectorXd& bias, const double* x, double* z) const {
    const int64_t pixels = outputHeight() * outputWidth();
    for (int64_t o = 0; o < outChannels; ++o)
        std::fill(z + o * pixels, z + (o + 1) * pixels, bias(o));
    forEachTap(*this, weight, [&](double w, int64_t in, int64_t out) { z[out] += w * x[in]; });
}

void Convolution2D::backward(const Eigen::MatrixXd& weight, const double* gradZ, double* gradX) const {
    std::fill(gradX, gradX + inputSize(), 0.0);
    forEachTap(*this, weight, [&](double w, int64_t in, int64_t out) { gradX[in] += w * gradZ[out]; });
}

}  // namespace ada

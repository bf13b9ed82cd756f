#include "ada/align/ExpectationAlignment.h"

#include <cmath>

#include <ATen/ATen.h>
#include <Eigen/Cholesky>

#include "ada/io/SpecError.h"

namespace ada {

namespace {

Eigen::MatrixXd checkedMatrix(const at::Tensor& t, const std::string& where) {
    if (!t.defined())
        throw SpecError(where + " are missing (undefined tensor)");
    if (t.dim() != 2)
        throw SpecError(where + " must have shape [n, d], found " + c10::str(t.sizes()));
    if (t.size(0) == 0 || t.size(1) == 0)
        throw SpecError(where + " are empty (shape " + c10::str(t.sizes()) + ")");
    if (!c10::isFloatingType(t.scalar_type()))
        throw SpecError(where + " must be floating point, found " + std::string(c10::toString(t.scalar_type())));
    const at::Tensor c = t.detach().to(at::kCPU, at::kDouble).contiguous();
    if (!at::isfinite(c).all().item<bool>())
        throw SpecError(where + " contain NaN or infinite values");
    return Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(c.data_ptr<double>(), c.size(0), c.size(1));
}

// Columns u^k of the standardised samples for each multi-index k.
Eigen::MatrixXd monomialColumns(const Eigen::MatrixXd& y, const std::vector<double>& shift, const std::vector<double>& scale,
                                const std::vector<std::vector<int>>& monomials) {
    Eigen::MatrixXd u = y;
    for (Eigen::Index k = 0; k < y.cols(); ++k)
        u.col(k) = (u.col(k).array() - shift[k]) / scale[k];
    Eigen::MatrixXd phi = Eigen::MatrixXd::Ones(y.rows(), monomials.size());
    for (size_t j = 0; j < monomials.size(); ++j)
        for (Eigen::Index k = 0; k < y.cols(); ++k)
            for (int e = 0; e < monomials[j][k]; ++e)
                phi.col(j).array() *= u.col(k).array();
    return phi;
}

at::Tensor tensorOf(const Eigen::VectorXd& v) {
    return at::from_blob(const_cast<double*>(v.data()), {v.size()}, at::kDouble).clone();
}

}  // namespace

ExpectationAlignment::ExpectationAlignment(const std::vector<at::Tensor>& base, const std::vector<at::Tensor>& data,
                                           const ExpectationAlignmentOptions& options)
    : options_(options) {
    const std::string me = "expectation alignment";
    if (options.order() < 1 || !(options.beta() > 0) || !(options.stepSize() > 0) || options.maxIterations() < 0 ||
        !(options.tolerance() > 0))
        throw SpecError(me + ": order, beta, step size and tolerance must be positive, found order " + std::to_string(options.order()) +
                        ", beta " + std::to_string(options.beta()) + ", step size " + std::to_string(options.stepSize()) + ", tolerance " +
                        std::to_string(options.tolerance()));
    if (base.empty() || base.size() != data.size())
        throw SpecError(me + ": needs one set of base samples and one of data samples per observable, found " +
                        std::to_string(base.size()) + " base and " + std::to_string(data.size()) + " data sets");
    std::vector<Eigen::MatrixXd> phis;
    std::vector<Eigen::VectorXd> means;
    Eigen::Index total = 0;
    for (size_t i = 0; i < base.size(); ++i) {
        const std::string at = me + ": observable " + std::to_string(i);
        const Eigen::MatrixXd yb = checkedMatrix(base[i], at + ": base samples");
        const Eigen::MatrixXd yd = checkedMatrix(data[i], at + ": data samples");
        if (yd.cols() != yb.cols())
            throw SpecError(at + ": data samples have dimension " + std::to_string(yd.cols()) + " but base samples have dimension " +
                            std::to_string(yb.cols()));
        if (i > 0 && yb.rows() != phis.front().rows())
            throw SpecError(at + ": has " + std::to_string(yb.rows()) + " base samples but observable 0 has " +
                            std::to_string(phis.front().rows()) + " (every observable is evaluated on the same base configurations)");
        Block b;
        b.monomials = Polynomial::monomials(static_cast<int>(yb.cols()), static_cast<int>(options.order()));
        b.offset = total;
        const Eigen::RowVectorXd mean = yd.colwise().mean();
        for (Eigen::Index k = 0; k < yd.cols(); ++k) {
            const double sd = yd.rows() > 1 ? std::sqrt((yd.col(k).array() - mean(k)).square().sum() / (yd.rows() - 1)) : 0.0;
            b.shift.push_back(mean(k));
            b.scale.push_back(sd > 0 ? sd : 1.0);
        }
        phis.push_back(monomialColumns(yb, b.shift, b.scale, b.monomials));
        means.push_back(monomialColumns(yd, b.shift, b.scale, b.monomials).colwise().mean().transpose());
        total += static_cast<Eigen::Index>(b.monomials.size());
        blocks_.push_back(std::move(b));
    }
    phi_.resize(phis.front().rows(), total);
    dataMoments_.resize(total);
    for (size_t i = 0; i < blocks_.size(); ++i) {
        phi_.middleCols(blocks_[i].offset, phis[i].cols()) = phis[i];
        dataMoments_.segment(blocks_[i].offset, means[i].size()) = means[i];
    }
    lambda_ = Eigen::VectorXd::Zero(total);
    refresh();
}

double ExpectationAlignment::dual(const Eigen::VectorXd& lambda, Eigen::VectorXd* weights) const {
    const Eigen::VectorXd a = -options_.beta() * (phi_ * lambda);
    const double top = a.maxCoeff();
    const Eigen::VectorXd e = (a.array() - top).exp();
    const double sum = e.sum();
    if (weights)
        *weights = e / sum;
    return top + std::log(sum / static_cast<double>(phi_.rows())) + options_.beta() * lambda.dot(dataMoments_);
}

void ExpectationAlignment::refresh() {
    dualValue_ = dual(lambda_, &weights_);
    gaps_ = phi_.transpose() * weights_ - dataMoments_;
}

void ExpectationAlignment::update() {
    Eigen::VectorXd direction = gaps_;
    if (options_.newton()) {
        const Eigen::VectorXd mean = phi_.transpose() * weights_;
        const Eigen::MatrixXd centred = phi_.rowwise() - mean.transpose();
        Eigen::MatrixXd cov = centred.transpose() * weights_.asDiagonal() * centred;
        cov.diagonal().array() += 1e-12 * (1.0 + cov.diagonal().maxCoeff());
        direction = cov.ldlt().solve(gaps_) / options_.beta();
    }
    // grad L . direction = -beta g . direction < 0: backtrack until L has decreased enough (Armijo).
    const double slope = -options_.beta() * gaps_.dot(direction);
    double t = options_.stepSize();
    Eigen::VectorXd trial;
    for (int halving = 0; halving < 60; ++halving, t *= 0.5) {
        trial = lambda_ + t * direction;
        const double value = dual(trial, nullptr);
        if (std::isfinite(value) && value <= dualValue_ + 1e-4 * t * slope)
            break;
    }
    lambda_ = trial;
    refresh();
    ++iterations_;
}

int64_t ExpectationAlignment::align() {
    int64_t made = 0;
    while (!converged() && iterations_ < options_.maxIterations()) {
        update();
        ++made;
    }
    return made;
}

const ExpectationAlignment::Block& ExpectationAlignment::block(int i) const {
    if (i < 0 || i >= numObservables())
        throw SpecError("expectation alignment: no observable " + std::to_string(i) + " (there are " + std::to_string(numObservables()) + ")");
    return blocks_[i];
}

at::Tensor ExpectationAlignment::weights() const { return tensorOf(weights_); }

at::Tensor ExpectationAlignment::momentGaps(int i) const {
    const Block& b = block(i);
    return tensorOf(gaps_.segment(b.offset, b.monomials.size()));
}

double ExpectationAlignment::maxGap() const { return gaps_.size() ? gaps_.cwiseAbs().maxCoeff() : 0.0; }

const std::vector<std::vector<int>>& ExpectationAlignment::monomials(int i) const { return block(i).monomials; }

at::Tensor ExpectationAlignment::coefficients(int i) const {
    const Block& b = block(i);
    return tensorOf(lambda_.segment(b.offset, b.monomials.size()));
}

Polynomial ExpectationAlignment::toBiasFunction(int i) const {
    const Block& b = block(i);
    const Eigen::VectorXd c = lambda_.segment(b.offset, b.monomials.size());
    return Polynomial(b.monomials, std::vector<double>(c.data(), c.data() + c.size()), b.shift, b.scale,
                      "expectation alignment observable " + std::to_string(i));
}

Polynomial ExpectationAlignment::toScaledBiasFunction(int i) const {
    const Block& b = block(i);
    const Eigen::VectorXd c = options_.beta() * lambda_.segment(b.offset, b.monomials.size());
    return Polynomial(b.monomials, std::vector<double>(c.data(), c.data() + c.size()), b.shift, b.scale,
                      "expectation alignment observable " + std::to_string(i));
}

Spline ExpectationAlignment::toSpline(int i, double lo, double hi, int points, bool periodic) const {
    const Polynomial f = toBiasFunction(i);
    if (f.inputDimension() != 1)
        throw SpecError("expectation alignment: a spline tabulates a 1-D observable, observable " + std::to_string(i) + " has dimension " +
                        std::to_string(f.inputDimension()));
    return Spline::tabulate(f, lo, hi, points, periodic, "expectation alignment spline of observable " + std::to_string(i));
}

}  // namespace ada

#include "ada/io/Dataset.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <random>

#include "ada/io/Dcd.h"
#include "ada/io/Kabsch.h"
#include "ada/io/Npy.h"
#include "ada/io/SpecError.h"

namespace ada {

namespace {

// An unbiased draw from [0, bound) (Lemire's threshold on the modulo), identical on every platform, unlike
// std::uniform_int_distribution whose algorithm the standard leaves open.
uint64_t boundedDraw(std::mt19937_64& rng, uint64_t bound) {
    const uint64_t threshold = (0 - bound) % bound;
    uint64_t r;
    do
        r = rng();
    while (r < threshold);
    return r % bound;
}

}  // namespace

Dataset Dataset::fromValues(std::vector<double> values, const std::vector<int64_t>& shape, const std::string& source, Expect expect) {
    const std::string expected = expect == Expect::Particles ? "particle frames [frames, atoms, 3] (or flattened [frames, 3*atoms])"
                                 : expect == Expect::Vectors ? "vectors [frames, dimension] (or particles [frames, atoms, 3])"
                                                             : "particle frames [frames, atoms, 3] or vectors [frames, dimension]";
    Dataset d;
    d.source_ = source;
    if (shape.size() == 3) {
        if (shape[2] != 3)
            throw SpecError(source + ": shape " + shapeText(shape) + ": expected " + expected + ", but the last dimension is " +
                            std::to_string(shape[2]) + ", not 3");
        d.layout_ = expect == Expect::Vectors ? Layout::Vectors : Layout::Particles;
        d.shape_ = d.layout_ == Layout::Particles ? shape : std::vector<int64_t>{shape[0], 3 * shape[1]};
    } else if (shape.size() == 2) {
        if (expect == Expect::Particles) {
            if (shape[1] % 3 != 0)
                throw SpecError(source + ": shape " + shapeText(shape) + ": expected " + expected + ", but " + std::to_string(shape[1]) +
                                " values per frame are not a multiple of 3");
            d.layout_ = Layout::Particles;
            d.shape_ = {shape[0], shape[1] / 3, 3};
        } else {
            d.layout_ = Layout::Vectors;
            d.shape_ = shape;
        }
    } else {
        throw SpecError(source + ": shape " + shapeText(shape) + " has rank " + std::to_string(shape.size()) + ": expected " + expected);
    }
    if (d.shape_[0] == 0)
        throw SpecError(source + ": shape " + shapeText(shape) + ": the dataset holds no frames");
    d.frameSize_ = d.layout_ == Layout::Particles ? d.shape_[1] * 3 : d.shape_[1];
    if (d.frameSize_ == 0)
        throw SpecError(source + ": shape " + shapeText(shape) + ": frames are empty");
    if (static_cast<int64_t>(values.size()) != d.shape_[0] * d.frameSize_)
        throw SpecError(source + ": " + std::to_string(values.size()) + " values do not fill shape " + shapeText(shape));
    for (size_t k = 0; k < values.size(); ++k) {
        if (std::isfinite(values[k]))
            continue;
        const int64_t b = static_cast<int64_t>(k) / d.frameSize_, i = static_cast<int64_t>(k) % d.frameSize_;
        const std::string what = std::isnan(values[k]) ? "NaN" : "infinite value";
        if (d.layout_ == Layout::Particles)
            throw SpecError(source + ": " + what + " in frame " + std::to_string(b) + ", atom " + std::to_string(i / 3) + " (" +
                            "xyz"[i % 3] + " coordinate)");
        throw SpecError(source + ": " + what + " in frame " + std::to_string(b) + ", component " + std::to_string(i));
    }
    d.values_ = std::move(values);
    return d;
}

Dataset Dataset::fromNpy(const std::string& path, Expect expect) {
    NpyArray array = readNpy(path);
    return fromValues(std::move(array.values), array.shape, path, expect);
}

Dataset Dataset::fromDcd(const std::string& path) {
    DcdTrajectory t = readDcd(path);
    return fromValues(std::move(t.positions), {t.numFrames(), t.numAtoms, 3}, path, Expect::Particles);
}

Dataset Dataset::load(const std::string& path, Expect expect) {
    std::string lower = path;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower.size() >= 4 && lower.compare(lower.size() - 4, 4, ".dcd") == 0) {
        DcdTrajectory t = readDcd(path);
        return fromValues(std::move(t.positions), {t.numFrames(), t.numAtoms, 3}, path, expect);
    }
    return fromNpy(path, expect);
}

int64_t Dataset::numAtoms() const {
    if (layout_ != Layout::Particles)
        throw SpecError(source_ + ": the dataset holds vectors of shape " + shapeText(shape_) + ", not particles");
    return shape_[1];
}

std::vector<int> Dataset::checkedAtoms(const std::vector<int>& atoms, const std::string& what) const {
    const int64_t n = numAtoms();
    if (atoms.empty()) {
        std::vector<int> all(static_cast<size_t>(n));
        for (int64_t i = 0; i < n; ++i)
            all[static_cast<size_t>(i)] = static_cast<int>(i);
        return all;
    }
    std::vector<char> seen(static_cast<size_t>(n), 0);
    for (size_t k = 0; k < atoms.size(); ++k) {
        const int a = atoms[k];
        if (a < 0 || a >= n)
            throw SpecError(source_ + ": " + what + ": atom index " + std::to_string(a) + " (entry " + std::to_string(k) +
                            ") is out of range: the dataset has " + std::to_string(n) + " atoms (indices 0 to " + std::to_string(n - 1) + ")");
        if (seen[static_cast<size_t>(a)]++)
            throw SpecError(source_ + ": " + what + ": atom index " + std::to_string(a) + " is listed twice");
    }
    return atoms;
}

Dataset Dataset::selectAtoms(const std::vector<int>& atoms) const {
    if (atoms.empty())
        throw SpecError(source_ + ": atom selection: no atoms selected");
    checkedAtoms(atoms, "atom selection");
    Dataset d;
    d.layout_ = Layout::Particles;
    d.source_ = source_;
    d.shape_ = {numFrames(), static_cast<int64_t>(atoms.size()), 3};
    d.frameSize_ = 3 * static_cast<int64_t>(atoms.size());
    d.values_.resize(static_cast<size_t>(numFrames() * d.frameSize_));
    for (int64_t b = 0; b < numFrames(); ++b)
        for (size_t k = 0; k < atoms.size(); ++k)
            for (int a = 0; a < 3; ++a)
                d.values_[static_cast<size_t>(b * d.frameSize_ + 3 * static_cast<int64_t>(k) + a)] = frame(b)[3 * atoms[k] + a];
    return d;
}

Dataset Dataset::selectFrames(const std::vector<int64_t>& frames) const {
    Dataset d = *this;
    d.values_.clear();
    d.values_.reserve(frames.size() * static_cast<size_t>(frameSize_));
    for (int64_t b : frames) {
        if (b < 0 || b >= numFrames())
            throw SpecError(source_ + ": frame index " + std::to_string(b) + " is out of range: the dataset has " +
                            std::to_string(numFrames()) + " frames");
        d.values_.insert(d.values_.end(), frame(b), frame(b) + frameSize_);
    }
    d.shape_[0] = static_cast<int64_t>(frames.size());
    return d;
}

void Dataset::removeCentreOfMass(const std::vector<int>& over) {
    const std::vector<int> atoms = checkedAtoms(over, "centre of mass");
    const int64_t n = numAtoms();
    for (int64_t b = 0; b < numFrames(); ++b) {
        double* x = values_.data() + b * frameSize_;
        double c[3] = {0, 0, 0};
        for (int i : atoms)
            for (int a = 0; a < 3; ++a)
                c[a] += x[3 * i + a];
        for (int a = 0; a < 3; ++a)
            c[a] /= static_cast<double>(atoms.size());
        for (int64_t i = 0; i < n; ++i)
            for (int a = 0; a < 3; ++a)
                x[3 * i + a] -= c[a];
    }
}

void Dataset::alignTo(const std::vector<double>& reference, const std::vector<int>& fitAtoms) {
    const int64_t n = numAtoms();
    if (static_cast<int64_t>(reference.size()) != 3 * n)
        throw SpecError(source_ + ": alignment reference has " + std::to_string(reference.size()) + " coordinates, expected " +
                        std::to_string(3 * n) + " (" + std::to_string(n) + " atoms x 3)");
    for (size_t k = 0; k < reference.size(); ++k)
        if (!std::isfinite(reference[k]))
            throw SpecError(source_ + ": alignment reference: NaN or infinite value at atom " + std::to_string(k / 3));
    const std::vector<int> atoms = checkedAtoms(fitAtoms, "alignment atoms");
    const Eigen::Index m = static_cast<Eigen::Index>(atoms.size());
    PointMatrix y(m, 3), x(m, 3);
    for (Eigen::Index k = 0; k < m; ++k)
        for (int a = 0; a < 3; ++a)
            y(k, a) = reference[static_cast<size_t>(3 * atoms[static_cast<size_t>(k)] + a)];
    const Eigen::RowVector3d cy = y.colwise().mean();
    for (int64_t b = 0; b < numFrames(); ++b) {
        Eigen::Map<PointMatrix> all(values_.data() + b * frameSize_, static_cast<Eigen::Index>(n), 3);
        for (Eigen::Index k = 0; k < m; ++k)
            x.row(k) = all.row(atoms[static_cast<size_t>(k)]);
        const Eigen::RowVector3d cx = x.colwise().mean();
        const Eigen::Matrix3d r = kabschRotation(x, y);
        // Rows are points: (R (x - c_x))^T = (x - c_x)^T R^T.
        all = ((all.rowwise() - cx) * r.transpose()).rowwise() + cy;
    }
}

DatasetSplit Dataset::split(double validationFraction, uint64_t seed) const {
    if (!(validationFraction >= 0.0 && validationFraction < 1.0))
        throw SpecError(source_ + ": validation fraction " + std::to_string(validationFraction) + " is outside [0, 1)");
    const int64_t b = numFrames();
    std::vector<int64_t> order(static_cast<size_t>(b));
    for (int64_t i = 0; i < b; ++i)
        order[static_cast<size_t>(i)] = i;
    std::mt19937_64 rng(seed);
    for (int64_t i = b - 1; i > 0; --i)
        std::swap(order[static_cast<size_t>(i)], order[static_cast<size_t>(boundedDraw(rng, static_cast<uint64_t>(i) + 1))]);
    const int64_t numValidation = std::llround(validationFraction * static_cast<double>(b));
    if (numValidation == b)
        throw SpecError(source_ + ": a validation fraction of " + std::to_string(validationFraction) + " of " + std::to_string(b) +
                        " frames leaves no frames for training");
    DatasetSplit s;
    s.validationFrames.assign(order.begin(), order.begin() + numValidation);
    s.trainingFrames.assign(order.begin() + numValidation, order.end());
    std::sort(s.validationFrames.begin(), s.validationFrames.end());
    std::sort(s.trainingFrames.begin(), s.trainingFrames.end());
    s.training = selectFrames(s.trainingFrames);
    s.validation = selectFrames(s.validationFrames);
    return s;
}

void Dataset::writeNpy(const std::string& path, const std::string& dtype) const {
    NpyArray array;
    array.shape = shape_;
    array.values = values_;
    array.dtype = dtype;
    ada::writeNpy(path, array);
}

}  // namespace ada

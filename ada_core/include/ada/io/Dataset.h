#pragma once
// A dataset of configurations (DESIGN.md §1, §4 "Files"): B frames of particles [B, N, 3] in nm, or of generic
// vectors [B, D], loaded from NPY or DCD and validated (shape, finite values), with the preparations training
// needs:
//   selectAtoms      keep atoms a_1..a_M (in that order)
//   removeCentreOfMass  x_i <- x_i - (1/|S|) sum_{j in S} x_j per frame (unweighted, S = chosen atoms or all);
//                    flow matching on particles works in this zero-CoM subspace (DESIGN.md §3.1)
//   alignTo          x_i <- R (x_i - c_x) + c_ref per frame, with R the proper rotation of Kabsch (Kabsch.h)
//                    fitted on the chosen atoms and c the centroids of those atoms; optional, for models that
//                    are not rotation-equivariant
//   split            training / validation by a seeded shuffle (Fisher-Yates on std::mt19937_64 with unbiased
//                    bounded draws, so a seed gives the same split on every platform)
// Values are held as double (float32 files convert exactly). Errors are SpecErrors naming the source file.
#include <cstdint>
#include <string>
#include <vector>

namespace ada {

struct DatasetSplit;

class Dataset {
public:
    enum class Layout {
        Particles,  ///< frames of N particles in 3-D: shape [B, N, 3], nm
        Vectors     ///< frames of D numbers: shape [B, D]
    };
    /** How to read an array from a file. */
    enum class Expect {
        Any,        ///< rank 3 [B, N, 3] is particles, rank 2 [B, D] vectors
        Particles,  ///< [B, N, 3], or [B, 3N] (flattened particles, e.g. LJ-13 reference samples) reshaped to [B, N, 3]
        Vectors     ///< [B, D], or [B, N, 3] flattened to [B, 3N]
    };

    Dataset() = default;
    /**
     * A dataset from row-major values of the given shape. `source` names where they come from in messages.
     * Throws SpecError for a shape the expectation does not allow, no frames, or a NaN or infinite value
     * (naming the frame and the atom and axis, or the component).
     */
    static Dataset fromValues(std::vector<double> values, const std::vector<int64_t>& shape, const std::string& source,
                              Expect expect = Expect::Any);
    /** Load an .npy array (any dtype readNpy reads). */
    static Dataset fromNpy(const std::string& path, Expect expect = Expect::Any);
    /** Load the frames of a DCD trajectory as particles (nm). */
    static Dataset fromDcd(const std::string& path);
    /** fromDcd for names ending in .dcd (any case), fromNpy otherwise. */
    static Dataset load(const std::string& path, Expect expect = Expect::Any);

    Layout layout() const { return layout_; }
    /** [B, N, 3] or [B, D]. */
    const std::vector<int64_t>& shape() const { return shape_; }
    int64_t numFrames() const { return shape_.empty() ? 0 : shape_[0]; }
    /** N for particles; throws SpecError for vectors. */
    int64_t numAtoms() const;
    /** Values per frame: 3N or D. */
    int64_t frameSize() const { return frameSize_; }
    /** Row-major values, numFrames() x frameSize(). */
    const std::vector<double>& values() const { return values_; }
    const double* frame(int64_t b) const { return values_.data() + b * frameSize_; }
    const std::string& source() const { return source_; }

    /** The particles a_1..a_M in that order. Throws SpecError naming an index outside [0, N) and N, or a duplicate. */
    Dataset selectAtoms(const std::vector<int>& atoms) const;
    /** The frames b_1..b_K in that order. Throws SpecError for an index outside [0, B). */
    Dataset selectFrames(const std::vector<int64_t>& frames) const;
    /** Subtract from every particle the unweighted mean of the particles `over` (all when empty), per frame. */
    void removeCentreOfMass(const std::vector<int>& over = {});
    /**
     * Superpose every frame on `reference` (N x 3 values, nm) by the proper rotation and translation fitted on
     * the particles `fitAtoms` (all when empty); every particle is moved. Throws SpecError if the reference has
     * another number of particles or is not finite.
     */
    void alignTo(const std::vector<double>& reference, const std::vector<int>& fitAtoms = {});
    /**
     * Split by a seeded shuffle: round(validationFraction * B) frames for validation, the rest for training,
     * each kept in their original order. validationFraction in [0, 1).
     */
    DatasetSplit split(double validationFraction, uint64_t seed) const;
    /** Write as .npy of shape() with dtype "<f4" or "<f8" (replacing the file only once written). */
    void writeNpy(const std::string& path, const std::string& dtype = "<f4") const;

private:
    std::vector<int> checkedAtoms(const std::vector<int>& atoms, const std::string& what) const;

    Layout layout_ = Layout::Vectors;
    std::vector<int64_t> shape_;
    int64_t frameSize_ = 0;
    std::vector<double> values_;
    std::string source_;
};

struct DatasetSplit {
    Dataset training, validation;
    /** The frame indices of the original dataset in each part (ascending). */
    std::vector<int64_t> trainingFrames, validationFrames;
};

}  // namespace ada

#include "internal/DataRecorderImpl.h"

#include <cmath>
#include <filesystem>
#include <mutex>
#include <set>

#include "ada/io/NpyFrameWriter.h"
#include "ada/io/SpecError.h"
#include "openmm/OpenMMException.h"
#include "openmm/internal/ContextImpl.h"

using namespace OpenMM;

namespace OpenMMADA {

namespace {

// The files live Contexts record into, by absolute normalised path, so two Contexts never interleave frames.
std::mutex claimsMutex;
std::set<std::string>& claims() {
    static std::set<std::string> files;
    return files;
}

std::string claimKey(const std::string& file) {
    std::error_code error;
    std::filesystem::path path = std::filesystem::weakly_canonical(std::filesystem::absolute(file, error), error);
    if (error)
        path = std::filesystem::absolute(file, error).lexically_normal();
    return path.string();
}

}  // namespace

DataRecorderImpl::DataRecorderImpl(const DataRecorder& owner) : owner_(owner) {}

DataRecorderImpl::~DataRecorderImpl() {
    writer_.reset();
    if (!claim_.empty()) {
        std::lock_guard<std::mutex> lock(claimsMutex);
        claims().erase(claim_);
    }
}

void DataRecorderImpl::initialize(ContextImpl& context) {
    const int numParticles = context.getSystem().getNumParticles();
    frequency_ = owner_.getFrequency();
    if (frequency_ <= 0)
        throw OpenMMException("DataRecorder: the frequency must be a positive number of steps, found " + std::to_string(frequency_));
    atoms_ = owner_.getAtoms();
    for (size_t k = 0; k < atoms_.size(); ++k)
        if (atoms_[k] < 0 || atoms_[k] >= numParticles)
            throw OpenMMException("DataRecorder: atom index " + std::to_string(atoms_[k]) + " (entry " + std::to_string(k) +
                                  ") is out of range: the System has " + std::to_string(numParticles) + " particles");
    if (atoms_.empty())
        for (int i = 0; i < numParticles; ++i)
            atoms_.push_back(i);

    const std::string& file = owner_.getFile();
    const std::string key = claimKey(file);
    {
        std::lock_guard<std::mutex> lock(claimsMutex);
        if (!claims().insert(key).second)
            throw OpenMMException("DataRecorder: " + file + " is already being recorded into by another Context; give each Context "
                                  "its own file (DataRecorder.setFile)");
    }
    const bool append = owner_.getAppend() || owner_.fileStarted_;
    try {
        writer_ = std::make_unique<ada::NpyFrameWriter>(file, std::vector<int64_t>{static_cast<int64_t>(atoms_.size()), 3},
                                                        append ? ada::NpyFrameWriter::Mode::Append : ada::NpyFrameWriter::Mode::Overwrite);
    } catch (const ada::SpecError& e) {
        // OpenMM does not destroy the ForceImpls of a Context whose creation fails: release the file here.
        std::lock_guard<std::mutex> lock(claimsMutex);
        claims().erase(key);
        throw OpenMMException(std::string("DataRecorder: ") + e.what());
    }
    claim_ = key;
    owner_.fileStarted_ = true;
    frame_.resize(3 * atoms_.size());
}

void DataRecorderImpl::updateContextState(ContextImpl& context, bool&) { recordIfDue(context); }

void DataRecorderImpl::recordIfDue(ContextImpl& context) {
    const long long step = context.getStepCount();
    if (step <= 0 || step % frequency_ != 0 || step == lastRecordedStep_)
        return;
    context.getPositions(positions_);
    for (size_t k = 0; k < atoms_.size(); ++k) {
        const Vec3& x = positions_[static_cast<size_t>(atoms_[k])];
        for (int a = 0; a < 3; ++a) {
            if (!std::isfinite(x[a]))
                throw OpenMMException("DataRecorder: particle " + std::to_string(atoms_[k]) + " has a NaN or infinite position at step " +
                                      std::to_string(step) + "; the frame is not recorded");
            frame_[3 * k + a] = x[a];
        }
    }
    try {
        writer_->append(frame_.data());
    } catch (const ada::SpecError& e) {
        throw OpenMMException(std::string("DataRecorder: ") + e.what());
    }
    lastRecordedStep_ = step;
    ++numFramesRecorded_;
}

}  // namespace OpenMMADA

#pragma once
// The lifecycle of a DataRecorder in a Context: checks the atoms against the System and claims and opens the
// file when the Context is created; at the start of every step writes the frame that is due; releases the
// file when the Context is destroyed. No kernel and no energy.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "DataRecorder.h"
#include "openmm/Vec3.h"
#include "openmm/internal/ForceImpl.h"

namespace ada {
class NpyFrameWriter;
}

namespace OpenMMADA {

class OPENMM_EXPORT_ADA DataRecorderImpl : public OpenMM::ForceImpl {
public:
    explicit DataRecorderImpl(const DataRecorder& owner);
    ~DataRecorderImpl() override;
    void initialize(OpenMM::ContextImpl& context) override;
    const DataRecorder& getOwner() const override { return owner_; }
    void updateContextState(OpenMM::ContextImpl& context, bool& forcesInvalid) override;
    double calcForcesAndEnergy(OpenMM::ContextImpl&, bool, bool, int) override { return 0.0; }
    std::map<std::string, double> getDefaultParameters() override { return {}; }
    std::vector<std::string> getKernelNames() override { return {}; }
    /** Write the frame of the current step if it is due and not yet written. */
    void recordIfDue(OpenMM::ContextImpl& context);
    int getNumFramesRecorded() const { return numFramesRecorded_; }

private:
    const DataRecorder& owner_;
    int frequency_ = 1;
    std::vector<int> atoms_;
    std::string claim_;
    std::unique_ptr<ada::NpyFrameWriter> writer_;
    long long lastRecordedStep_ = -1;
    int numFramesRecorded_ = 0;
    std::vector<OpenMM::Vec3> positions_;
    std::vector<double> frame_;
};

}  // namespace OpenMMADA

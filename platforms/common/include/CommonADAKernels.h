#pragma once
// ADAForce on the GPU platforms (OpenCL and CUDA), written once against OpenMM's ComputeContext.
//
// The bias U(x) = lambda kT sum_i f_i(o_i(x)) depends on a handful of atoms, and is evaluated on the host by
// ADABiasEvaluation. Only those atoms cross the bus, each step:
//   device: x_a = posq[s(a)] (+ posqCorrection[s(a)] in mixed precision) for the touched atoms a, where s(a) is
//           the current array slot of atom a (OpenMM reorders atoms: atomIndex[s] is the atom held in slot s);
//   host:   unwrap x_a -= n_a,x A + n_a,y B + n_a,z C, undoing the whole-box shift (posCellOffsets n_a) by which
//           reordering moved the atom's molecule into the box, so the bias sees the positions a State reports;
//           then E, F_a and dE/dlambda from ADABiasEvaluation;
//   device: forceBuffer[s(a) + k*paddedNumAtoms] += F_a,k * 2^32 (OpenMM's 64-bit fixed-point force buffer).
// The slots s(a) are recomputed on the host after OpenMM reorders atoms (a ReorderListener marks them stale)
// and uploaded as one small int array, so no kernel ever walks all atoms.
#include <memory>
#include <vector>

#include "internal/ADABiasEvaluation.h"
#include "internal/ADAKernels.h"
#include "openmm/common/ComputeArray.h"
#include "openmm/common/ComputeContext.h"
#include "openmm/common/ComputeKernel.h"
#include "openmm/common/ComputeProgram.h"

namespace OpenMMADA {

class CommonCalcADAForceKernel : public CalcADAForceKernel {
public:
    CommonCalcADAForceKernel(const std::string& name, const OpenMM::Platform& platform, OpenMM::ComputeContext& cc)
        : CalcADAForceKernel(name, platform), cc_(cc) {}
    /** Compiles the device code, registers for atom reordering and dU/d(ada_lambda), and builds the bias. */
    void initialize(const OpenMM::System& system, const ADAForce& force) override;
    /** Gathers the touched atoms, evaluates on the host, scatters the forces; returns the energy (kJ/mol). */
    double execute(OpenMM::ContextImpl& context, bool includeForces, bool includeEnergy) override;
    /** Rebuilds the bias and its device arrays: the new specification may touch other atoms. */
    void copyParametersToContext(OpenMM::ContextImpl& context, const ADAForce& force) override;

private:
    class AtomOrderListener;
    /** Parse the force's specification and size the device arrays and kernels for its atoms. */
    void buildBias(const ADAForce& force);
    /** Recompute the current array slot of every touched atom from the context's atom order, and upload it. */
    void updateAtomSlots();
    /** Gather and download the touched atoms' positions into the evaluation's buffer, unwrapped (nm). */
    void readPositions(const OpenMM::Vec3* boxVectors);
    /** Upload the evaluation's forces on the touched atoms (kJ/mol/nm) and add them to the force buffer. */
    void writeForces();

    OpenMM::ComputeContext& cc_;
    std::unique_ptr<ADABiasEvaluation> bias_;
    bool lambdaDerivative_ = false;
    bool atomSlotsStale_ = true;
    // The gathered positions and scattered forces use the kernels' "mixed" type: double unless the context runs
    // in single precision.
    bool deviceUsesDouble_ = false;
    int numBiasAtoms_ = 0;
    std::vector<int> atomSlots_;  // atomSlots_[a]: the current array slot of bias atom atoms()[a]
    OpenMM::ComputeProgram program_;
    OpenMM::ComputeArray atomSlotsArray_, biasPositionsArray_, biasForcesArray_;
    OpenMM::ComputeKernel gatherPositionsKernel_, addForcesKernel_;
    std::vector<double> hostValuesDouble_;
    std::vector<float> hostValuesFloat_;
};

}  // namespace OpenMMADA

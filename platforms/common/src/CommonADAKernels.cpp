// ADAForce on OpenCL and CUDA: gather the touched atoms on the device, evaluate
//   E = lambda kT sum_i f_i(o_i(x)),  F_a = -dE/dx_a,  dE/dlambda = kT sum_i f_i(o_i(x))
// on the host (ADABiasEvaluation), and add F_a into OpenMM's fixed-point force buffer on the device.
// See CommonADAKernels.h for the data flow and kernels/adaForce.cc for the device code.
#include "CommonADAKernels.h"

#include <map>
#include <string>

#include "openmm/OpenMMException.h"
#include "openmm/common/ContextSelector.h"
#include "openmm/internal/ContextImpl.h"

using namespace OpenMM;

namespace OpenMMADA {

extern const std::string adaForceKernelSource;

// OpenMM owns its ReorderListeners and deletes them with the ComputeContext; the kernel lives as long as the
// context, so the back reference stays valid.
class CommonCalcADAForceKernel::AtomOrderListener : public ComputeContext::ReorderListener {
public:
    explicit AtomOrderListener(CommonCalcADAForceKernel& owner) : owner_(owner) {}
    void execute() override { owner_.atomSlotsStale_ = true; }

private:
    CommonCalcADAForceKernel& owner_;
};

void CommonCalcADAForceKernel::initialize(const System&, const ADAForce& force) {
    ContextSelector selector(cc_);
    deviceUsesDouble_ = cc_.getUseDoublePrecision() || cc_.getUseMixedPrecision();
    program_ = cc_.compileProgram(adaForceKernelSource, {{"PADDED_NUM_ATOMS", cc_.intToString(cc_.getPaddedNumAtoms())}});
    cc_.addReorderListener(new AtomOrderListener(*this));
    lambdaDerivative_ = force.getLambdaDerivativeRequested();
    if (lambdaDerivative_)
        cc_.addEnergyParameterDerivative(ADAForce::lambdaParameter());
    buildBias(force);
}

void CommonCalcADAForceKernel::buildBias(const ADAForce& force) {
    bias_ = std::make_unique<ADABiasEvaluation>(force, cc_.getNumAtoms());
    numBiasAtoms_ = static_cast<int>(bias_->atoms().size());
    atomSlots_.assign(numBiasAtoms_, 0);
    atomSlotsStale_ = true;
    const size_t valueCount = 3 * static_cast<size_t>(numBiasAtoms_);
    if (deviceUsesDouble_)
        hostValuesDouble_.assign(valueCount, 0.0);
    else
        hostValuesFloat_.assign(valueCount, 0.0f);
    if (numBiasAtoms_ == 0)
        return;  // a bias without terms: nothing to move, and device arrays cannot be empty

    const int valueSize = deviceUsesDouble_ ? sizeof(double) : sizeof(float);
    if (atomSlotsArray_.isInitialized()) {
        atomSlotsArray_.resize(numBiasAtoms_);
        biasPositionsArray_.resize(valueCount);
        biasForcesArray_.resize(valueCount);
    } else {
        atomSlotsArray_.initialize<int>(cc_, numBiasAtoms_, "adaAtomSlots");
        biasPositionsArray_.initialize(cc_, valueCount, valueSize, "adaBiasPositions");
        biasForcesArray_.initialize(cc_, valueCount, valueSize, "adaBiasForces");
    }

    gatherPositionsKernel_ = program_->createKernel("gatherBiasPositions");
    gatherPositionsKernel_->addArg(numBiasAtoms_);
    gatherPositionsKernel_->addArg(atomSlotsArray_);
    gatherPositionsKernel_->addArg(cc_.getPosq());
    if (cc_.getUseMixedPrecision())
        gatherPositionsKernel_->addArg(cc_.getPosqCorrection());
    gatherPositionsKernel_->addArg(biasPositionsArray_);

    addForcesKernel_ = program_->createKernel("addBiasForces");
    addForcesKernel_->addArg(numBiasAtoms_);
    addForcesKernel_->addArg(atomSlotsArray_);
    addForcesKernel_->addArg(biasForcesArray_);
    addForcesKernel_->addArg(cc_.getLongForceBuffer());
}

void CommonCalcADAForceKernel::updateAtomSlots() {
    // atomIndex maps array slot -> atom; invert it for the touched atoms only.
    const std::vector<int>& atomInSlot = cc_.getAtomIndex();
    const std::vector<int>& biasAtoms = bias_->atoms();
    std::vector<int> biasSlotOfAtom(cc_.getNumAtoms(), -1);
    for (int a = 0; a < numBiasAtoms_; ++a)
        biasSlotOfAtom[biasAtoms[a]] = a;
    for (int slot = 0; slot < cc_.getNumAtoms(); ++slot) {
        const int a = biasSlotOfAtom[atomInSlot[slot]];
        if (a >= 0)
            atomSlots_[a] = slot;
    }
    atomSlotsArray_.upload(atomSlots_);
    atomSlotsStale_ = false;
}

void CommonCalcADAForceKernel::readPositions(const Vec3* box) {
    gatherPositionsKernel_->execute(numBiasAtoms_);
    if (deviceUsesDouble_)
        biasPositionsArray_.download(hostValuesDouble_);
    else
        biasPositionsArray_.download(hostValuesFloat_);
    // Reordering moves whole molecules by box vectors into the box and records the shift per slot; undo it,
    // so that non-periodic observables spanning molecules see the positions the Reference platform sees.
    const std::vector<mm_int4>& cellOffsets = cc_.getPosCellOffsets();
    const std::vector<int>& biasAtoms = bias_->atoms();
    double* positions = bias_->positionBuffer();
    for (int a = 0; a < numBiasAtoms_; ++a) {
        const mm_int4& n = cellOffsets[atomSlots_[a]];
        const Vec3 shift = box[0] * n.x + box[1] * n.y + box[2] * n.z;
        for (int k = 0; k < 3; ++k) {
            const size_t value = 3 * static_cast<size_t>(a) + k;
            const double wrapped = deviceUsesDouble_ ? hostValuesDouble_[value] : static_cast<double>(hostValuesFloat_[value]);
            positions[3 * static_cast<size_t>(biasAtoms[a]) + k] = wrapped - shift[k];
        }
    }
}

void CommonCalcADAForceKernel::writeForces() {
    for (int a = 0; a < numBiasAtoms_; ++a) {
        const double* f = bias_->force(a);
        for (int k = 0; k < 3; ++k) {
            const size_t value = 3 * static_cast<size_t>(a) + k;
            if (deviceUsesDouble_)
                hostValuesDouble_[value] = f[k];
            else
                hostValuesFloat_[value] = static_cast<float>(f[k]);
        }
    }
    if (deviceUsesDouble_)
        biasForcesArray_.upload(hostValuesDouble_);
    else
        biasForcesArray_.upload(hostValuesFloat_);
    addForcesKernel_->execute(numBiasAtoms_);
}

double CommonCalcADAForceKernel::execute(ContextImpl& context, bool includeForces, bool includeEnergy) {
    if (!includeForces && !includeEnergy && !lambdaDerivative_)
        return 0.0;
    ContextSelector selector(cc_);
    Vec3 box[3];
    cc_.getPeriodicBoxVectors(box[0], box[1], box[2]);
    if (numBiasAtoms_ > 0) {
        if (atomSlotsStale_)
            updateAtomSlots();
        readPositions(box);
    }
    const double lambda = context.getParameter(ADAForce::lambdaParameter());
    const double energy = bias_->evaluate(box, lambda, includeForces);
    if (includeForces && numBiasAtoms_ > 0)
        writeForces();
    if (lambdaDerivative_)
        cc_.getEnergyParamDerivWorkspace()[ADAForce::lambdaParameter()] += bias_->lambdaDerivative();
    return includeEnergy ? energy : 0.0;
}

void CommonCalcADAForceKernel::copyParametersToContext(ContextImpl&, const ADAForce& force) {
    // The context sized its table of energy parameter derivatives when it was created; it cannot grow now.
    if (force.getLambdaDerivativeRequested() && !lambdaDerivative_) {
        bool registered = false;
        for (const std::string& name : cc_.getEnergyParamDerivNames())
            registered = registered || name == ADAForce::lambdaParameter();
        if (!registered)
            throw OpenMMException("ADAForce.updateParametersInContext: the derivative with respect to " + ADAForce::lambdaParameter() +
                                  " was not requested when the Context was created; call Context.reinitialize() to add it");
    }
    lambdaDerivative_ = force.getLambdaDerivativeRequested();
    ContextSelector selector(cc_);
    buildBias(force);
}

}  // namespace OpenMMADA

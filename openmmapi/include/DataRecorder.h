#pragma once
// DataRecorder: MD as a data source (DESIGN.md §1). A Force with no energy that records the positions of chosen
// atoms every `frequency` steps into an NPY dataset, float32 [frames, atoms, 3] in nm, the format the trainers
// read (ada/io/Dataset.h). Like MonteCarloBarostat it acts at the start of every step (ForceImpl::
// updateContextState) and needs no kernel, so it works on every platform; positions travel to the host only
// on a recording step.
//
// Frames. The frame of step k (k = frequency, 2*frequency, ...; the Context's step count, so setStepCount and
// checkpoints carry over) is the configuration after k steps. The recorder first sees it when step k+1
// begins, and writes it then, or earlier when flush() is called; so after integrator.step(100) with
// frequency 10, frames 10..90 are written and flush() writes frame 100. Call flush() after a run, before
// changing the Context's positions. The initial configuration (step 0) is not recorded, as OpenMM's reporters
// do not report it.
//
// The file. After every frame the header is rewritten with the frame count and the stream flushed, so the
// file is a valid .npy at all times (numpy.load reads it while the simulation runs). Without append, a
// recorder replaces the file the first time a Context opens it; later Contexts with this recorder (including
// Context.reinitialize) continue the file rather than restart it. With append, frames always continue an
// existing file, which must hold float32 frames of the same atoms.
//
// Contexts. One file belongs to one Context at a time: creating a second Context that would record into a file
// another live Context records into (e.g. the same System used twice) is an error; give each Context its own
// recorder file. (OpenMM does not destroy a Context whose creation failed in another Force after this one was
// set up; such a Context keeps its file.) Settings are read when a Context is created; later changes apply to
// Contexts created after.
#include <string>
#include <vector>

#include "openmm/Context.h"
#include "openmm/Force.h"
#include "internal/windowsExportADA.h"

namespace OpenMMADA {

class OPENMM_EXPORT_ADA DataRecorder : public OpenMM::Force {
public:
    /**
     * Record into the NPY file `file` the positions of `atoms` (particle indices; all particles when empty)
     * every `frequency` steps (> 0). Throws OpenMMException for an empty file name, a frequency <= 0, or a
     * negative or repeated atom index. Atoms beyond the System and unwritable files are reported when a
     * Context is created.
     */
    DataRecorder(const std::string& file, int frequency, const std::vector<int>& atoms = std::vector<int>());
    /** The NPY file frames are written to. */
    const std::string& getFile() const { return file_; }
    void setFile(const std::string& file);
    /** The number of steps between frames. */
    int getFrequency() const { return frequency_; }
    void setFrequency(int frequency);
    /** The recorded particle indices, in the order of the file's second axis (empty: all particles). */
    const std::vector<int>& getAtoms() const { return atoms_; }
    void setAtoms(const std::vector<int>& atoms);
    /** Whether frames continue an existing file (true) or the file is replaced when first opened (false, the default). */
    bool getAppend() const { return append_; }
    void setAppend(bool append);
    /** The number of frames the recorder has written in a Context since the Context was created. */
    int getNumFramesRecorded(const OpenMM::Context& context) const;
    /**
     * Write the frame of the Context's current step now if one is due (the step count is a positive multiple
     * of the frequency) and not yet written; otherwise do nothing. Call it after the last step of a run.
     */
    void flush(OpenMM::Context& context);
    bool usesPeriodicBoundaryConditions() const override { return false; }

protected:
    OpenMM::ForceImpl* createImpl() const override;

private:
    friend class DataRecorderImpl;
    std::string file_;
    int frequency_ = 1;
    std::vector<int> atoms_;
    bool append_ = false;
    // Set when a Context of this recorder has replaced the file: later Contexts continue it.
    mutable bool fileStarted_ = false;
};

}  // namespace OpenMMADA

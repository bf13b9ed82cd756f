#include "DataRecorder.h"

#include <set>

#include "internal/DataRecorderImpl.h"
#include "openmm/OpenMMException.h"

using namespace OpenMM;

namespace OpenMMADA {

DataRecorder::DataRecorder(const std::string& file, int frequency, const std::vector<int>& atoms) {
    setFile(file);
    setFrequency(frequency);
    setAtoms(atoms);
    setName("DataRecorder");
}

void DataRecorder::setFile(const std::string& file) {
    if (file.empty())
        throw OpenMMException("DataRecorder: the file name is empty");
    file_ = file;
    fileStarted_ = false;
}

void DataRecorder::setFrequency(int frequency) {
    if (frequency <= 0)
        throw OpenMMException("DataRecorder: the frequency must be a positive number of steps, found " + std::to_string(frequency));
    frequency_ = frequency;
}

void DataRecorder::setAtoms(const std::vector<int>& atoms) {
    std::set<int> seen;
    for (size_t k = 0; k < atoms.size(); ++k) {
        if (atoms[k] < 0)
            throw OpenMMException("DataRecorder: atom index " + std::to_string(atoms[k]) + " (entry " + std::to_string(k) + ") is negative");
        if (!seen.insert(atoms[k]).second)
            throw OpenMMException("DataRecorder: atom index " + std::to_string(atoms[k]) + " is listed twice");
    }
    atoms_ = atoms;
}

void DataRecorder::setAppend(bool append) {
    append_ = append;
    fileStarted_ = false;
}

int DataRecorder::getNumFramesRecorded(const Context& context) const {
    return dynamic_cast<const DataRecorderImpl&>(getImplInContext(context)).getNumFramesRecorded();
}

void DataRecorder::flush(Context& context) {
    dynamic_cast<DataRecorderImpl&>(getImplInContext(context)).recordIfDue(getContextImpl(context));
}

ForceImpl* DataRecorder::createImpl() const { return new DataRecorderImpl(*this); }

}  // namespace OpenMMADA

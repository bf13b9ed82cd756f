#include "DataRecorderProxy.h"

#include <memory>

#include "DataRecorder.h"
#include "openmm/OpenMMException.h"
#include "openmm/serialization/SerializationNode.h"

using namespace OpenMM;

namespace OpenMMADA {

DataRecorderProxy::DataRecorderProxy() : SerializationProxy("DataRecorder") {}

void DataRecorderProxy::serialize(const void* object, SerializationNode& node) const {
    const DataRecorder& recorder = *reinterpret_cast<const DataRecorder*>(object);
    node.setIntProperty("version", 1);
    node.setIntProperty("forceGroup", recorder.getForceGroup());
    node.setStringProperty("name", recorder.getName());
    node.setStringProperty("file", recorder.getFile());
    node.setIntProperty("frequency", recorder.getFrequency());
    node.setBoolProperty("append", recorder.getAppend());
    SerializationNode& atoms = node.createChildNode("Atoms");
    for (int atom : recorder.getAtoms())
        atoms.createChildNode("Atom").setIntProperty("index", atom);
}

void* DataRecorderProxy::deserialize(const SerializationNode& node) const {
    const int version = node.getIntProperty("version");
    if (version != 1)
        throw OpenMMException("DataRecorder XML: unsupported version " + std::to_string(version) + " (this build reads version 1)");
    std::vector<int> atoms;
    for (const SerializationNode& atom : node.getChildNode("Atoms").getChildren())
        atoms.push_back(atom.getIntProperty("index"));
    auto recorder = std::make_unique<DataRecorder>(node.getStringProperty("file"), node.getIntProperty("frequency"), atoms);
    recorder->setAppend(node.getBoolProperty("append", false));
    recorder->setForceGroup(node.getIntProperty("forceGroup", 0));
    recorder->setName(node.getStringProperty("name", "DataRecorder"));
    return recorder.release();
}

}  // namespace OpenMMADA

#include "GenerativeMoveProxy.h"

#include <memory>

#include "GenerativeMove.h"
#include "ada/io/Base64.h"
#include "ada/io/SpecError.h"
#include "openmm/OpenMMException.h"
#include "openmm/serialization/SerializationNode.h"

using namespace OpenMM;

namespace OpenMMADA {

// Version 2 adds the torsions (torsion moves); version 1 (Cartesian moves only) is still read.
GenerativeMoveProxy::GenerativeMoveProxy() : SerializationProxy("GenerativeMove") {}

void GenerativeMoveProxy::serialize(const void* object, SerializationNode& node) const {
    const GenerativeMove& move = *reinterpret_cast<const GenerativeMove*>(object);
    node.setIntProperty("version", 2);
    node.setIntProperty("forceGroup", move.getForceGroup());
    node.setStringProperty("name", move.getName());
    node.setIntProperty("frequency", move.getFrequency());
    node.setDoubleProperty("temperature", move.getTemperature());
    node.setIntProperty("attemptsPerMove", move.getAttemptsPerMove());
    node.setIntProperty("batchSize", move.getBatchSize());
    node.setDoubleProperty("tolerance", move.getTolerance());
    node.setIntProperty("randomSeed", move.getRandomNumberSeed());
    SerializationNode& atoms = node.createChildNode("Atoms");
    for (int atom : move.getAtoms())
        atoms.createChildNode("Atom").setIntProperty("index", atom);
    SerializationNode& torsions = node.createChildNode("Torsions");
    for (int k = 0; k < move.getNumTorsions(); ++k) {
        int p1, p2, p3, p4;
        std::vector<int> rotatedAtoms;
        double windowStart;
        move.getTorsionParameters(k, p1, p2, p3, p4, rotatedAtoms, windowStart);
        SerializationNode& torsion = torsions.createChildNode("Torsion");
        torsion.setIntProperty("p1", p1).setIntProperty("p2", p2).setIntProperty("p3", p3).setIntProperty("p4", p4);
        torsion.setDoubleProperty("windowStart", windowStart);
        SerializationNode& rotated = torsion.createChildNode("RotatedAtoms");
        for (int atom : rotatedAtoms)
            rotated.createChildNode("Atom").setIntProperty("index", atom);
    }
    node.createChildNode("Model").setStringProperty("bytes", ada::encodeBase64(move.getModelBytes()));
}

void* GenerativeMoveProxy::deserialize(const SerializationNode& node) const {
    const int version = node.getIntProperty("version");
    if (version != 1 && version != 2)
        throw OpenMMException("GenerativeMove XML: unsupported version " + std::to_string(version) + " (this build reads versions 1 and 2)");
    std::string bytes;
    try {
        bytes = ada::decodeBase64(node.getChildNode("Model").getStringProperty("bytes"), "GenerativeMove XML: Model");
    } catch (const ada::SpecError& e) {
        throw OpenMMException(e.what());
    }
    std::unique_ptr<GenerativeMove> move(new GenerativeMove());
    move->setModelBytes(bytes);
    std::vector<int> atoms;
    for (const SerializationNode& atom : node.getChildNode("Atoms").getChildren())
        atoms.push_back(atom.getIntProperty("index"));
    move->setAtoms(atoms);
    if (version >= 2)
        for (const SerializationNode& torsion : node.getChildNode("Torsions").getChildren()) {
            std::vector<int> rotatedAtoms;
            for (const SerializationNode& atom : torsion.getChildNode("RotatedAtoms").getChildren())
                rotatedAtoms.push_back(atom.getIntProperty("index"));
            move->addTorsion(torsion.getIntProperty("p1"), torsion.getIntProperty("p2"), torsion.getIntProperty("p3"),
                             torsion.getIntProperty("p4"), rotatedAtoms, torsion.getDoubleProperty("windowStart"));
        }
    move->setFrequency(node.getIntProperty("frequency"));
    move->setTemperature(node.getDoubleProperty("temperature"));
    move->setAttemptsPerMove(node.getIntProperty("attemptsPerMove", 1));
    move->setBatchSize(node.getIntProperty("batchSize", 16));
    move->setTolerance(node.getDoubleProperty("tolerance", 1e-6));
    move->setRandomNumberSeed(node.getIntProperty("randomSeed", 0));
    move->setForceGroup(node.getIntProperty("forceGroup", 0));
    move->setName(node.getStringProperty("name", "GenerativeMove"));
    return move.release();
}

}  // namespace OpenMMADA

// Test entry point: loads OpenMM's platform plugins, then this project's kernel plugins from the build tree,
// as `import openmmada` does from the installed tree.
#include <gtest/gtest.h>

#include <iostream>

#include "openmm/Platform.h"

int main(int argc, char** argv) {
    testing::InitGoogleTest(&argc, argv);
    OpenMM::Platform::loadPluginsFromDirectory(OPENMM_PLUGIN_DIR);
    OpenMM::Platform::loadPluginsFromDirectory(ADA_PLUGIN_DIR);
    for (const std::string& failure : OpenMM::Platform::getPluginLoadFailures())
        std::cerr << "[plugin not loaded] " << failure << "\n";
    return RUN_ALL_TESTS();
}

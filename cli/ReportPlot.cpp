#include "ReportPlot.h"

#include <unistd.h>

#include <cstdlib>

#include "ada/io/SpecError.h"

std::string folderOfThisProgram() {
    char buffer[4096];
    const ssize_t n = readlink("/proc/self/exe", buffer, sizeof(buffer) - 1);
    if (n <= 0)
        return ".";
    const std::string path(buffer, static_cast<size_t>(n));
    return path.substr(0, path.find_last_of('/'));
}

void drawReport(const std::string& report, const std::string& png, const std::string& python) {
    const std::string interpreter = python.empty() ? folderOfThisProgram() + "/python" : python;
    const std::string command = "'" + interpreter + "' -m openmmada.plots '" + report + "' '" + png + "'";
    if (std::system(command.c_str()) != 0)
        throw ada::SpecError("drawing " + png + " failed (" + command + ")");
}

#pragma once
// ADAForce: a learned bias inside OpenMM (DESIGN.md §3.3 "Bias export", §4):
//   U(x) = ada_lambda * kT * sum_i f_i(o_i(x)),
// with observables o_i and dimensionless functions f_i from a bias specification (JSON), kT = R*T for the
// specification's temperature, and the global parameter ada_lambda (default 1) with its energy derivative
// dU/d(ada_lambda) = kT * sum_i f_i(o_i(x)).
#include <string>

#include "openmm/Context.h"
#include "openmm/Force.h"
#include "internal/windowsExportADA.h"

namespace OpenMMADA {

class OPENMM_EXPORT_ADA ADAForce : public OpenMM::Force {
public:
    /** The name of the global parameter that scales the bias. */
    static std::string lambdaParameter() { return "ada_lambda"; }
    /** A force with no terms (zero energy) until setBiasFromFile or setBiasFromJSON is called. */
    ADAForce();
    /**
     * Load a bias specification (JSON) from a file. Model files it names (MLP bundles) are read now and
     * embedded, so the force, its copies and its XML are self-contained. Throws OpenMMException naming the
     * file and field on any problem.
     */
    explicit ADAForce(const std::string& file);
    /** Replace the bias by the specification in a JSON file. */
    void setBiasFromFile(const std::string& file);
    /** Replace the bias by a JSON specification; relative "file" entries resolve against baseDirectory. */
    void setBiasFromJSON(const std::string& json, const std::string& baseDirectory = ".");
    /** The self-contained JSON specification (MLP weights inline). */
    const std::string& getBiasJSON() const { return biasJson_; }
    /** The number of terms f_i(o_i). */
    int getNumTerms() const { return numTerms_; }
    /** The temperature of the specification in K; kT = R*T sets the energy scale. */
    double getTemperature() const { return temperature_; }
    /** The default value of ada_lambda (dimensionless). */
    double getDefaultLambda() const { return defaultLambda_; }
    void setDefaultLambda(double lambda) { defaultLambda_ = lambda; }
    /** Whether the Context reports dU/d(ada_lambda) (kJ/mol) in State.getEnergyParameterDerivatives(). */
    bool getLambdaDerivativeRequested() const { return lambdaDerivative_; }
    void setLambdaDerivativeRequested(bool requested) { lambdaDerivative_ = requested; }
    /** Whether observables use the minimum image convention in the periodic box of the Context. */
    bool usesPeriodicBoundaryConditions() const override { return periodic_; }
    void setUsesPeriodicBoundaryConditions(bool periodic) { periodic_ = periodic; }
    /**
     * Send the current specification to a Context that already contains this force, e.g. after an alignment
     * phase changed the critics. The new specification may use different atoms.
     */
    void updateParametersInContext(OpenMM::Context& context);

protected:
    OpenMM::ForceImpl* createImpl() const override;

private:
    std::string biasJson_;
    int numTerms_ = 0;
    double temperature_ = 300.0;
    double defaultLambda_ = 1.0;
    bool lambdaDerivative_ = false;
    bool periodic_ = false;
};

}  // namespace OpenMMADA

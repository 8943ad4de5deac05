"""The language of what the helpers print: English, or Chinese (中文) for the Chinese edition.

One setting chooses it, in this order:

1. :func:`set_language` (``i18n.set_language("zh")`` in a notebook);
2. the environment variable ``D2L_LANG`` (``en`` or ``zh``);
3. where the notebook runs: a kernel started in ``notebooks/zh/`` (the Chinese edition's
   folder, where Jupyter and the tests start it) or ``student/zh/`` (its student edition) speaks
   Chinese; anywhere else, English.

What follows it: the self-checks' verdicts, hints and worked answers (:mod:`check`), the
training doctor's diagnoses (:mod:`doctor`), the widgets' labels (:mod:`widgets`) and the main
errors a student meets (data not found, batches the net cannot take, an unknown profile). The
recipe line and the tables of figures ``fit`` prints stay as they are: they name code.

Every message is written once, in English, with named fields (``"{what} is {shown}."``);
:func:`tr` looks its Chinese up in :data:`ZH`. The tests check that every message the package
passes to :func:`tr` (or marks with :func:`N_`) has a Chinese version with the same fields.
"""
from __future__ import annotations

import functools
import os
import string
from pathlib import Path

LANGUAGES = ("en", "zh")
LANG_ENV = "D2L_LANG"
_chosen: str | None = None


def _checked(lang: str, where: str) -> str:
    lang = str(lang).strip().lower()
    if lang not in LANGUAGES:
        raise ValueError(f"{where} is {lang!r}: the languages are {', '.join(LANGUAGES)} "
                         f"(en: English, zh: 中文).")
    return lang


def set_language(lang: str | None) -> None:
    """Choose the language of the helpers' messages (``"en"`` or ``"zh"``); ``None`` goes back to
    the environment and the notebook's folder."""
    global _chosen
    _chosen = None if lang is None else _checked(lang, "the language")


def language() -> str:
    """``"en"`` or ``"zh"``: the language the helpers print in now."""
    if _chosen:
        return _chosen
    env = os.environ.get(LANG_ENV, "").strip()
    if env:
        return _checked(env, LANG_ENV)
    try:
        here = Path.cwd()
    except OSError:             # the working folder was removed
        return "en"
    return "zh" if here.name == "zh" and here.parent.name in ("notebooks", "student") else "en"


def N_(text: str) -> str:
    """Mark ``text`` as a message translated later, when it is shown (:func:`tr`); returns it unchanged."""
    return text


def tr(text: str, **fields) -> str:
    """``text`` (an English message, with ``{named}`` fields) in the current language, its fields
    filled in. A message without fields is returned as it is (braces and all)."""
    if language() == "zh":
        text = ZH.get(text, text)
    return text.format(**fields) if fields else text


#: fonts with Chinese glyphs that matplotlib may find, in the order they are preferred
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei",
             "Microsoft YaHei", "SimHei", "PingFang SC", "Heiti SC", "Arial Unicode MS")


@functools.lru_cache(maxsize=1)
def _installed_cjk_font() -> str | None:
    """The first of :data:`CJK_FONTS` matplotlib knows (looked up once: every figure asks)."""
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in names), None)


def cjk_font() -> str | None:
    """The first of :data:`CJK_FONTS` installed here, added after matplotlib's font family (Latin
    letters keep their font; a glyph it lacks falls back to this one); None if none is installed."""
    import matplotlib

    found = _installed_cjk_font()
    family = matplotlib.rcParams["font.family"]
    family = [family] if isinstance(family, str) else list(family)
    if found and found not in family:
        matplotlib.rcParams["font.family"] = family + [found]
    return found


def tr_figure(text: str, **fields) -> str:
    """:func:`tr` for text drawn in a figure: in Chinese only where a font can draw it (else English,
    rather than boxes for missing glyphs)."""
    if language() == "zh" and cjk_font() is None:
        return text.format(**fields) if fields else text
    return tr(text, **fields)


def fields(text: str) -> set[str]:
    """The names of a message's fields (``{what}``, ``{acc:.3f}`` → ``{"what", "acc"}``)."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


#: English message → Chinese, in the terms of the Chinese edition of the book.
ZH: dict[str, str] = {
    # ------------------------------------------------------------ check: verdicts
    "✓ right": "✓ 正确",
    "✗ not quite": "✗ 不太对",
    "… not answered yet": "… 尚未作答",
    "{label}: replace the ... with {what}.": "{label}：把 ... 换成{what}。",
    "{label}: your answer is the text {shown!r}, not a number or shape: write {what} without quotation marks "
    "({bare} rather than {shown!r}).":
        "{label}：你的答案是字符串 {shown!r}，不是数或形状：写{what}时不要加引号（写 {bare}，而不是 {shown!r}）。",
    "{label}: {what} is {shown}.": "{label}：{what}是 {shown}。",
    "{label}: {what} is not {shown}.": "{label}：{what}不是 {shown}。",
    "  Hint: {hint}": "  提示：{hint}",
    "  Try again; the worked answer appears after {tries} tries, or now with reveal=True.":
        "  再试一次；答错 {tries} 次后会给出解答，也可以用 reveal=True 立即查看。",
    "  The answer: {answer}.": "  答案：{answer}。",
    "the question's {name} must be a whole number of at least 1, got {value!r}.":
        "题目中的 {name} 必须是不小于 1 的整数，这里是 {value!r}。",
    "no self-check called {key!r}; the known ones are {known}.":
        "没有名为 {key!r} 的自测题；已有的是 {known}。",
    # ------------------------------------------------------------ check: output shape
    "the output shape (height, width)": "输出形状（高，宽）",
    "height ⌊({nh} − {kh} + 2·{ph}) / {sh}⌋ + 1 = {oh}, width ⌊({nw} − {kw} + 2·{pw}) / {sw}⌋ + 1 = {ow}.":
        "高 ⌊({nh} − {kh} + 2·{ph}) / {sh}⌋ + 1 = {oh}，宽 ⌊({nw} − {kw} + 2·{pw}) / {sw}⌋ + 1 = {ow}。",
    "That counts the padding once: p is the padding on each side, so the input grows by 2p.":
        "这里只算了一次填充：p 是每一侧的填充，所以输入增大 2p。",
    "That rounds up: a window that does not fit is not computed, so the division is floored.":
        "这是向上取整了：放不下的窗口不会被计算，所以除法要向下取整。",
    "That leaves out the floor: only whole steps of the stride fit.":
        "这里漏了向下取整：只有完整的步幅才能放下。",
    "Height first, then width.": "先写高，再写宽。",
    "Those are the numbers of the full 4-D shape: give only (height, width).":
        "这是完整四维形状里的数：只需给出（高，宽）。",
    "output side = ⌊(n − k + 2p) / s⌋ + 1, for height and width separately.":
        "输出边长 = ⌊(n − k + 2p) / s⌋ + 1，高和宽分别计算。",
    # ------------------------------------------------------------ check: parameters, multiplications
    "one kernel": "1 个卷积核",
    "{c_out} kernels": "{c_out} 个卷积核",
    "{kernels} of {c_in}×{kh}×{kw} weights = {weights}, plus one bias per output channel: "
    "{weights} + {c_out} = {expected}.":
        "{kernels}，每个有 {c_in}×{kh}×{kw} 个权重，共 {weights} 个；每个输出通道再加 1 个偏置："
        "{weights} + {c_out} = {expected}。",
    "{kernels} of {c_in}×{kh}×{kw} weights = {weights}, no biases.":
        "{kernels}，每个有 {c_in}×{kh}×{kw} 个权重，共 {weights} 个，没有偏置。",
    "The weights are right; a layer also has one bias per output channel.":
        "权重数对了；但每个输出通道还有 1 个偏置。",
    "Each kernel has one k×k slice per input channel: count the input channels too.":
        "每个卷积核在每个输入通道上都有一个 k×k 的切片：输入通道数也要算进去。",
    "the number of parameters": "参数个数",
    "one kernel per output channel, each with c_in × k_h × k_w weights; then the biases.":
        "每个输出通道一个卷积核，每个卷积核有 c_in × k_h × k_w 个权重；再加上偏置。",
    "each of the {c_out}×{oh}×{ow} outputs takes {c_in}×{kh}×{kw} = {per} products: {expected:,} in all "
    "(and about as many additions).":
        "{c_out}×{oh}×{ow} 个输出中，每个都要做 {c_in}×{kh}×{kw} = {per} 次乘法：共 {expected:,} 次"
        "（加法的次数与之相当）。",
    "That counts FLOPs (a multiply-add is two operations); the question asks for multiplications only.":
        "这算的是浮点运算次数（一次乘加算两次运算）；题目只问乘法。",
    "Count the outputs from the output size, not the input size.": "输出的个数要按输出尺寸算，而不是输入尺寸。",
    "the number of multiplications": "乘法次数",
    "outputs (c_out × o_h × o_w) times products per output (c_in × k_h × k_w).":
        "输出个数（c_out × o_h × o_w）乘以每个输出的乘法次数（c_in × k_h × k_w）。",
    # ------------------------------------------------------------ check: receptive field
    "layers is a list of (kernel, stride) pairs from the input up, e.g. [(3, 1), (2, 2)]; got {layers!r}.":
        "layers 是从输入往上排列的 (kernel, stride) 对，例如 [(3, 1), (2, 2)]；这里是 {layers!r}。",
    "r = 1 {steps} = {rf}: each layer adds (kernel − 1) × the product of the strides below it.":
        "r = 1 {steps} = {rf}：每一层增加 (卷积核大小 − 1) × 它下面各层步幅之积。",
    "That adds (kernel − 1) per layer as if every stride were 1: a stride below a layer spreads its window "
    "further over the input.":
        "这是把每层都按步幅为 1 加上 (卷积核大小 − 1)：下面某层的步幅会让上层的窗口在输入上铺得更开。",
    "That adds the kernel sizes; neighbouring windows overlap, so each layer adds (kernel − 1), not kernel.":
        "这是把卷积核大小直接相加；相邻窗口有重叠，所以每层增加的是 (卷积核大小 − 1)，而不是卷积核大小。",
    "the receptive field": "感受野",
    "start from 1 pixel; each layer adds (kernel − 1) × the product of the strides below it.":
        "从 1 个像素开始；每一层增加 (卷积核大小 − 1) × 它下面各层步幅之积。",
    # ------------------------------------------------------------ check: registered exercises
    "the minimum number of taps for the third derivative": "三阶导数所需的最少抽头数",
    "d + 1 taps are needed for d + 1 conditions (polynomials of degree < d to 0, x^d to d!): 4 for d = 3.":
        "d + 1 个条件（次数低于 d 的多项式得 0，x^d 得 d!）需要 d + 1 个抽头：d = 3 时为 4。",
    "count the conditions the kernel must meet: every polynomial of degree below d goes to 0, and x^d goes to d!.":
        "数一数卷积核要满足几个条件：次数低于 d 的每个多项式都得 0，x^d 得 d!。",
    "With d taps the first d conditions alone force every tap to 0.": "只有 d 个抽头时，仅前 d 个条件就迫使所有抽头为 0。",
    "the number of parameters of the fully connected layer": "全连接层的参数个数",
    "every one of the 784 inputs connects to every one of the 576 outputs: 784 × 576 = 451,584 weights, "
    "plus 576 biases = 452,160.":
        "784 个输入中的每一个都与 576 个输出中的每一个相连：784 × 576 = 451,584 个权重，"
        "再加 576 个偏置，共 452,160 个。",
    "count one weight per (input pixel, output pixel) pair, then one bias per output.":
        "每一对（输入像素，输出像素）一个权重，再给每个输出一个偏置。",
    "The weights are right; each output also has a bias.": "权重数对了；每个输出还有一个偏置。",
    "The output is 24×24, not 28×28: the convolution shrinks it by 5 − 1 = 4.":
        "输出是 24×24，不是 28×28：卷积使它缩小了 5 − 1 = 4。",
    "That is the convolution's count; the fully connected layer shares nothing.": "这是卷积层的参数个数；全连接层不共享任何参数。",
    "the padding per side for a 7×7 kernel": "7×7 卷积核每一侧的填充",
    "same size needs n + 2p − k + 1 = n, so p = (k − 1)/2 = 3.": "保持尺寸不变要求 n + 2p − k + 1 = n，所以 p = (k − 1)/2 = 3。",
    "write the output size with padding p on each side and set it equal to n.": "写出每侧填充 p 时的输出尺寸，令它等于 n。",
    "That is the total padding over both sides; the question asks for one side.": "这是两侧填充的总和；题目问的是一侧。",
    "Padding the kernel size is too much: the output would grow.": "填充等于卷积核大小就太多了：输出会变大。",
    "the growth factor": "增长的倍数",
    "the cost c_o · o_h · o_w · c_i · k_h · k_w is proportional to c_i · c_o: 2 · 2 = 4.":
        "计算量 c_o · o_h · o_w · c_i · k_h · k_w 与 c_i · c_o 成正比：2 · 2 = 4。",
    "which factors of the cost c_o · o_h · o_w · c_i · k_h · k_w change?": "计算量 c_o · o_h · o_w · c_i · k_h · k_w 中哪些因子变了？",
    "Both channel counts double, and the cost is proportional to their product.": "两个通道数都翻倍，而计算量与它们的乘积成正比。",
    "the number of comparisons": "比较次数",
    "64 × 28 × 28 outputs (⌊(56 + 2 − 3)/2⌋ + 1 = 28), 9 − 1 = 8 comparisons each (every window counted as "
    "9 values, padding included).":
        "64 × 28 × 28 个输出（⌊(56 + 2 − 3)/2⌋ + 1 = 28），每个输出 9 − 1 = 8 次比较"
        "（每个窗口都按 9 个值计，包括填充）。",
    "outputs (channels × o_h × o_w, with the output-size formula) times comparisons per window.":
        "输出个数（通道数 × o_h × o_w，用输出尺寸公式）乘以每个窗口的比较次数。",
    "A maximum of 9 values takes 8 comparisons, not 9.": "求 9 个值的最大值要比较 8 次，不是 9 次。",
    "Stride 2 halves each side: count the outputs, not the inputs.": "步幅为 2 使每边减半：要数输出，而不是输入。",
    "That counts only the real values in the windows at the padded border; the question counts every window "
    "as 9 values, padding included.":
        "这只算了填充边界处窗口里的真实值；题目把每个窗口都按 9 个值计，包括填充。",
    "the number of parameters of the first dense layer": "第一个全连接层的参数个数",
    "32 → 32 (padding 2) → 16 → 12 → 6: the layer reads 16 × 6 × 6 = 576 values; 576 × 120 = 69,120 weights, "
    "plus 120 biases = 69,240.":
        "32 → 32（填充 2）→ 16 → 12 → 6：这一层读入 16 × 6 × 6 = 576 个值；576 × 120 = 69,120 个权重，"
        "再加 120 个偏置，共 69,240 个。",
    "follow the side through the layers (the output-size formula, then halve at each pooling), flatten "
    "channels × height × width, then count a weight per input and output and a bias per output.":
        "逐层跟踪边长（用输出尺寸公式，每经过一个汇聚层减半），展平为 通道数 × 高 × 宽，"
        "再按每对输入和输出一个权重、每个输出一个偏置来数。",
    "That is the count for 28×28 inputs, the one in section 1's table.": "这是 28×28 输入时的个数，即第 1 节表格中的那个。",
    "The weights are right; a dense layer also has one bias per output.": "权重数对了；全连接层的每个输出还有一个偏置。",
    "The second convolution has no padding: 16 − 5 + 1 = 12, then the pooling halves it.":
        "第二个卷积层没有填充：16 − 5 + 1 = 12，然后汇聚层再把它减半。",
    "the factor between the two variances": "两个方差之间的倍数",
    "a channel's statistics average over every position of every image, m = 16 × 8 × 8 = 1,024 values; the "
    "running variance takes the unbiased estimate (divided by m − 1), the normalisation the biased one "
    "(divided by m): a factor m / (m − 1) = 1,024 / 1,023.":
        "一个通道的统计量是对每张图像的每个位置取平均，共 m = 16 × 8 × 8 = 1,024 个值；移动方差用无偏估计"
        "（除以 m − 1），规范化用有偏估计（除以 m）：两者相差 m / (m − 1) = 1,024 / 1,023 倍。",
    "count the values one channel's mean and variance are taken over, then compare dividing the squared "
    "deviations by that count and by one less.":
        "先数一个通道的均值和方差是对多少个值求的，再比较把偏差平方和除以这个数与除以它减 1 的区别。",
    "That counts the images only: a convolution's batch normalization averages each channel over every "
    "position of every image too.":
        "这只数了图像：卷积层后的批量规范化对每个通道还要在每张图像的每个位置上取平均。",
    "The two variances differ: PyTorch's running variance is the unbiased estimate.": "两个方差并不相同：PyTorch 的移动方差是无偏估计。",
    "That is the other way round: dividing by m − 1 gives the larger value.": "方向反了：除以 m − 1 得到的值更大。",
    "the number of parameters of the 1x1 shortcut convolution": "快捷连接上 1x1 卷积层的参数个数",
    "a 1x1 convolution has one weight per pair of input and output channels, 64 × 128 = 8,192, and one bias "
    "per output channel, 128: 8,320. The stride changes where it looks, not how many weights it has.":
        "1x1 卷积层的每一对输入和输出通道有一个权重，64 × 128 = 8,192 个，每个输出通道再有一个偏置，"
        "128 个：共 8,320 个。步幅改变的是它看哪里，而不是它有多少权重。",
    "a 1x1 kernel has one weight for each input channel, for each output channel; do not forget the biases.":
        "1x1 卷积核对每个输出通道、每个输入通道各有一个权重；别忘了偏置。",
    "That leaves out one number per output channel.": "这漏掉了每个输出通道的一个数。",
    "The shortcut reads the block's input, which has 64 channels, not 128.": "快捷连接读取的是残差块的输入，它有 64 个通道，而不是 128 个。",
    "That is a 3x3 convolution; the shortcut's kernel is 1x1.": "这是 3x3 卷积层的参数个数；快捷连接的卷积核是 1x1。",
    "The stride of 2 does not change the number of weights.": "步幅为 2 并不改变权重的个数。",
    "the affine_grid matrix of a left-right flip with a zoom out by 2": "左右翻转并缩小为 1/2 的 affine_grid 矩阵",
    "theta maps each output position to the input position it reads, in coordinates from -1 to 1: for the "
    "image to shrink to half its size, each output pixel reads from twice as far from the centre (2 on the "
    "diagonal; positions beyond ±1 read the zero padding), a flip negates the x it reads (the first column), "
    "and no shift leaves the last column at 0: [[-2, 0, 0], [0, 2, 0]].":
        "theta 把每个输出位置映射到它所读取的输入位置，坐标范围是 -1 到 1：要让图像缩小到一半，"
        "每个输出像素就要从离中心两倍远的地方读取（对角线上为 2；超出 ±1 的位置读到的是零填充），"
        "翻转把读取的 x 取反（第一列），没有平移，所以最后一列为 0：[[-2, 0, 0], [0, 2, 0]]。",
    "theta says where in the input each output pixel reads from, the inverse of what the image undergoes; "
    "a flip reads x from the other side.":
        "theta 说明每个输出像素从输入的哪里读取，这与图像所经历的变换互逆；翻转就是从另一侧读取 x。",
    "That zooms in: theta maps output positions to input ones, the inverse of what the image undergoes.":
        "这是放大：theta 把输出位置映射到输入位置，与图像所经历的变换互逆。",
    "That zooms out, but does not flip.": "这缩小了，但没有翻转。",
    "That flips top to bottom; left to right is x, the first column.": "这是上下翻转；左右方向是 x，即第一列。",
    "That also flips top to bottom: a rotation by 180°.": "这还做了上下翻转：相当于旋转 180°。",
    "the number of parameters trained with the body frozen": "冻结主体后参与训练的参数个数",
    "only the output layer learns: a dense layer from the 128 features of the last stage to 5 classes has "
    "128 × 5 = 640 weights and 5 biases: 645 of the network's 308,997.":
        "只有输出层在学习：从最后一个模块的 128 个特征到 5 个类别的全连接层有 128 × 5 = 640 个权重"
        "和 5 个偏置：网络 308,997 个参数中的 645 个。",
    "with the body frozen, only the new output layer is trained; count a dense layer's weights and biases.":
        "主体冻结后，只训练新的输出层；数一数全连接层的权重和偏置。",
    "That leaves out one number per class.": "这漏掉了每个类别的一个数。",
    "The target task has 5 classes, not Fashion-MNIST's 10.": "目标任务有 5 个类别，不是 Fashion-MNIST 的 10 个。",
    "That is the whole network; the frozen layers are not updated.": "这是整个网络的参数个数；冻结的层不会更新。",
    "examples per second at 224 px": "224 像素时每秒处理的样本数",
    "the throughput scales with the inverse of the FLOPs per image: {rate:.0f} × {small:.3f} / {large:.2f} ≈ "
    "{result:.0f} (FLOPs counted from the network).":
        "吞吐量与每张图像的浮点运算次数成反比：{rate:.0f} × {small:.3f} / {large:.2f} ≈ {result:.0f}"
        "（浮点运算次数由网络本身数出）。",
    "if the time per image grows with the arithmetic, the images per second shrink by the same factor.":
        "如果每张图像的时间随计算量增长，每秒处理的图像数就按同一倍数减少。",
    "That is the other way round: more arithmetic per image means fewer images per second.":
        "方向反了：每张图像的计算量越大，每秒能处理的图像越少。",
    "That starts from the measured rate; the question supposes 600 examples per second at 64 px.":
        "这是从实测的速度出发的；题目假设 64 像素时每秒 600 个样本。",
    # ------------------------------------------------------------ doctor
    "Doctor ({kind}): {message}": "诊断（{kind}）：{message}",
    "stuck": "停滞",
    "diverging": "发散",
    "dead-classes": "从未预测的类别",
    "overfitting": "过拟合",
    "validation-above-training": "验证高于训练",
    "training accuracy {train_acc:.3f}": "训练精度 {train_acc:.3f}",
    "training accuracy {train_acc:.3f}, validation {val_acc:.3f}": "训练精度 {train_acc:.3f}，验证精度 {val_acc:.3f}",
    "the training loss became {loss} in epoch {epoch}: {optimizer} was stepping with learning rate {rate}, too "
    "high for this net. Lower the recipe's lr (e.g. recipe.replace(lr=...) ten times smaller); 01-convolution, "
    "exercise 3, shows why a step too large makes gradient descent diverge.":
        "训练损失在第 {epoch} 个迭代周期变成了 {loss}：{optimizer} 的学习率是 {rate}，对这个网络来说太大了。"
        "请调低配方的 lr（例如用 recipe.replace(lr=...) 调小到十分之一）；01-convolution 的练习 3 说明了"
        "步长过大为什么会让梯度下降发散。",
    "{shown} after {epochs} epoch(s): still at chance ({chance:.3f} for {classes} classes), the loss near "
    "ln {classes} = {log:.3f}. The weights barely move: sigmoid activations with a small learning rate "
    "(05-lenet, section 2 'Training'), or the book's plain SGD on a deep net at low resolution (06-alexnet, "
    "section 2 'Training'). Raise the learning rate, train longer, use ReLU, or Adam.":
        "{shown}，训练了 {epochs} 个迭代周期：仍是随机猜测的水平（{classes} 个类别时为 {chance:.3f}），"
        "损失接近 ln {classes} = {log:.3f}。权重几乎没有变化：可能是 sigmoid 激活函数配上了较小的学习率"
        "（05-lenet 第 2 节“训练”），或是在低分辨率下用书中的普通 SGD 训练深层网络（06-alexnet 第 2 节"
        "“训练”）。可以提高学习率、训练更久、改用 ReLU 或 Adam。",
    "the training loss rose to {last:.3f} from its best, {best:.3f}: the steps are too large late in "
    "training. Lower the learning rate or use a schedule that anneals it (recipe schedule='onecycle' or "
    "'cosine').":
        "训练损失从最好的 {best:.3f} 升到了 {last:.3f}：训练后期的步长太大。请调低学习率，或使用逐渐降低"
        "学习率的调度（配方的 schedule='onecycle' 或 'cosine'）。",
    "the net never predicts {classes} on the validation set. Either it has not learned that class yet, or "
    "the units that carry it are dead: a ReLU whose input is negative for every image passes no gradient, "
    "and comes back only if the layers below happen to move its input. 08-nin, section 3.4, tells the two "
    "apart (a dead channel is 0 for every image) and shows why He initialisation helps; if nothing is dead, "
    "train longer.":
        "网络在验证集上从不预测 {classes}。要么它还没学会这个类别，要么负责它的单元已经“死亡”："
        "对每张图像输入都为负的 ReLU 不传递梯度，只有下面的层碰巧改变了它的输入才会恢复。08-nin 第 3.4 节"
        "说明了如何区分这两种情况（死亡的通道对每张图像都输出 0），以及 He 初始化为什么有帮助；"
        "如果没有死亡的单元，就训练得更久一些。",
    "the net never predicts {classes} on the validation set. Either it has not learned those classes yet, or "
    "the units that carry them are dead: a ReLU whose input is negative for every image passes no gradient, "
    "and comes back only if the layers below happen to move its input. 08-nin, section 3.4, tells the two "
    "apart (a dead channel is 0 for every image) and shows why He initialisation helps; if nothing is dead, "
    "train longer.":
        "网络在验证集上从不预测 {classes}。要么它还没学会这些类别，要么负责它们的单元已经“死亡”："
        "对每张图像输入都为负的 ReLU 不传递梯度，只有下面的层碰巧改变了它的输入才会恢复。08-nin 第 3.4 节"
        "说明了如何区分这两种情况（死亡的通道对每张图像都输出 0），以及 He 初始化为什么有帮助；"
        "如果没有死亡的单元，就训练得更久一些。",
    "{shown}: the net fits its training images far better than new ones, it is memorising them. More data, "
    "augmentation, dropout or weight decay, or fewer epochs help (06-alexnet, exercise 8).":
        "{shown}：网络拟合训练图像远好于新图像，它在记忆训练图像。更多数据、图像增广、暂退法或权重衰减，"
        "或者更少的迭代周期都有帮助（06-alexnet 练习 8）。",
    "dropout is active in training and off in evaluation, so the training figures come from a weaker net":
        "暂退法在训练时生效、在评估时关闭，所以训练时的数字来自一个更弱的网络",
    "batch normalization uses batch statistics in training and running averages in evaluation":
        "批量规范化在训练时用小批量的统计量，在评估时用移动平均",
    "and the training accuracy is averaged over the epoch while the weights were still improving (augmented "
    "training images, harder than plain ones, do the same)":
        "而且训练精度是在权重仍在改进时对整个迭代周期取的平均（增广后的训练图像比原图更难，作用相同）",
    "; ": "；",
    "{shown}: validation is above training, which is not a bug: {causes}.":
        "{shown}：验证精度高于训练精度，这不是错误：{causes}。",
    # ------------------------------------------------------------ widgets
    "{k} dilated to {span}": "{k}（空洞后跨度 {span}）",
    "output {out} × {out}: ⌊({n} + 2·{p} − {span}) / {s}⌋ + 1 = {out} (input {n}, kernel {kernel}, padding {p}, "
    "stride {s})":
        "输出 {out} × {out}：⌊({n} + 2·{p} − {span}) / {s}⌋ + 1 = {out}（输入 {n}，卷积核 {kernel}，填充 {p}，"
        "步幅 {s}）",
    "input n": "输入 n",
    "kernel k": "卷积核 k",
    "padding p": "填充 p",
    "stride s": "步幅 s",
    "dilation d": "空洞 d",
    "start from": "初始卷积核",
    "kernel sum {total:.3g}; feature map from {low:.3g} to {high:.3g}":
        "卷积核之和 {total:.3g}；特征映射从 {low:.3g} 到 {high:.3g}",
    "input": "输入",
    "feature map (red +, blue −)": "特征映射（红 +，蓝 −）",
    "window": "窗口",
    "stride": "步幅",
    "padding": "填充",
    "pooling": "汇聚",
    "Impossible: {error}": "无法计算：{error}",
    "Impossible": "无法计算",
    "output {out} × {out}": "输出 {out} × {out}",
    "{mode} pooling, window {window}, stride {stride}, padding {padding}: {h} × {w} → {oh} × {ow}":
        "{mode} 汇聚，窗口 {window}，步幅 {stride}，填充 {padding}：{h} × {w} → {oh} × {ow}",
    "input {h} × {w}": "输入 {h} × {w}",
    "{mode} pooled {h} × {w}": "{mode} 汇聚后 {h} × {w}",
    "the kernel must be square with an odd side, got shape {shape}.": "卷积核必须是边长为奇数的正方形，这里的形状是 {shape}。",
    "the image must be (H, W), got shape {shape}.": "图像的形状必须是 (H, W)，这里是 {shape}。",
    "mode must be 'max' or 'avg', got {mode!r}.": "mode 必须是 'max' 或 'avg'，这里是 {mode!r}。",
    "padding {padding} is more than half the window {window}: PyTorch's pooling layers allow padding up to "
    "window // 2 = {half}.":
        "填充 {padding} 超过了窗口 {window} 的一半：PyTorch 的汇聚层最多允许填充 window // 2 = {half}。",
    # ------------------------------------------------------------ data, training: the main errors
    "point {env} (or path=) at a folder holding the four idx files, or copy them into {folder}":
        "让 {env}（或参数 path=）指向存有这 4 个 idx 文件的文件夹，或把它们复制到 {folder}",
    "on Debian or Ubuntu run 'sudo apt-get install dataset-fashion-mnist'":
        "在 Debian 或 Ubuntu 上运行 'sudo apt-get install dataset-fashion-mnist'",
    "connect to the internet once so that torchvision can download it into {folder}":
        "联网一次，让 torchvision 把它下载到 {folder}",
    "Get {title} in one of these ways: {ways}.": "可以用以下任一方式获得 {title}：{ways}。",
    " (No system package provides {title} offline.)": "（没有可离线提供 {title} 的系统软件包。）",
    "{how} {folder} does not hold the four {title} idx files ({files}, optionally .gz). ":
        "{how} {folder} 中没有 {title} 的 4 个 idx 文件（{files}，可以是 .gz）。",
    "{title} is not on this machine and torchvision's download failed ({error}). ":
        "本机没有 {title}，torchvision 的下载也失败了（{error}）。",
    "{title} is not on this machine. ": "本机没有 {title}。",
    "{title} is not on this machine and download=False. ": "本机没有 {title}，且 download=False。",
    "unknown profile {chosen!r}: {env} must be one of {known}.": "未知的运行配置 {chosen!r}：{env} 必须是 {known} 之一。",
    "the {what} data produced no batches: is the batch size larger than the data set with drop_last=True, "
    "or the subset empty?":
        "{what}数据没有产生任何小批量：是不是在 drop_last=True 时批量大小超过了数据集大小，或者子集为空？",
    "each {what} batch must be a pair (X, y) of tensors.": "每个{what}小批量必须是一对张量 (X, y)。",
    "each {what} batch must be a pair (X, y) of tensors, got ({x_type}, {y_type}).":
        "每个{what}小批量必须是一对张量 (X, y)，这里是 ({x_type}, {y_type})。",
    "the {what} images are {dtype}; the net needs floating-point images in [0, 1] (data.Batches converts uint8 "
    "images; elsewhere divide by 255 and call .float()).":
        "{what}图像的类型是 {dtype}；网络需要 [0, 1] 内的浮点图像（data.Batches 会转换 uint8 图像；"
        "在别处请除以 255 并调用 .float()）。",
    "the {what} images reach {top:.0f}: they look like 0-255 pixel values; divide them by 255 (data.Batches "
    "does) so that the net sees values in [0, 1].":
        "{what}图像的值达到 {top:.0f}：看起来是 0-255 的像素值；请除以 255（data.Batches 会这样做），"
        "让网络看到 [0, 1] 内的值。",
    "the {what} labels must be a 1-D int64 tensor of class numbers, got {dtype} of shape {shape} (use y.long(), "
    "or y.flatten() for an (N, 1) tensor).":
        "{what}标签必须是由类别编号组成的一维 int64 张量，这里是形状为 {shape} 的 {dtype}"
        "（用 y.long()；(N, 1) 的张量用 y.flatten()）。",
    "the {what} images are {h}x{w} pixels, the recipe says input_size={size}. Build the batches from the recipe "
    "(data.load_splits(recipe)) or change input_size.":
        "{what}图像是 {h}x{w} 像素，而配方写的是 input_size={size}。请按配方构造小批量"
        "（data.load_splits(recipe)），或者修改 input_size。",
    "the training batches hold {n} images, the recipe says batch_size={size}. Build them from the recipe "
    "(data.load_splits(recipe)).":
        "训练小批量有 {n} 张图像，而配方写的是 batch_size={size}。请按配方构造它们（data.load_splits(recipe)）。",
    "the net cannot take inputs of shape {shape}: {error}. Is the input size too small for the net (smallest "
    "sides, models.MIN_SIZE: {sizes}), or has it the wrong number of channels?":
        "网络无法接受形状为 {shape} 的输入：{error}。是输入尺寸对这个网络来说太小了（最小边长见 "
        "models.MIN_SIZE：{sizes}），还是通道数不对？",
    "the net outputs shape {shape} for a batch of {n}, but the data has {classes} classes: its last layer must "
    "give (batch, {classes}), e.g. nn.LazyLinear({classes}).":
        "对 {n} 个样本的小批量，网络输出的形状是 {shape}，但数据有 {classes} 个类别：最后一层必须输出 "
        "(batch, {classes})，例如 nn.LazyLinear({classes})。",
    "the {what} labels run from {low} to {high}, but the net has {outputs} outputs (classes 0 to {last}).":
        "{what}标签从 {low} 到 {high}，但网络只有 {outputs} 个输出（类别 0 到 {last}）。",
    "training": "训练",
    "validation": "验证",
}

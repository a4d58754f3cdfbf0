"""One error family for everything a clerk may read.

Each subclass carries a Chinese message template; callers pass the values.
Third-party exceptions are wrapped at the boundary with ``raise ... from e``.
The GUI and the CLI show ``str(error)`` for a ClerkError and log anything else.
"""


class ClerkError(Exception):
    """Base of every error whose message is meant for the clerk."""

    message = "操作失败：{}"

    def __init__(self, *args, **kwargs):
        self.args_for_message = args
        self.details = kwargs
        try:
            text = self.message.format(*args, **kwargs)
        except (IndexError, KeyError):
            text = self.message
        super().__init__(text)

    @property
    def text(self) -> str:
        return str(self)

    def __reduce__(self):
        # Rebuild from the finished message, so an error raised in a worker
        # process arrives in the parent unchanged (no double template).
        return (_rebuild, (self.__class__, str(self), self.details))


def _rebuild(cls, text, details):
    err = Exception.__new__(cls)
    Exception.__init__(err, text)
    err.args_for_message, err.details = (text,), details
    if isinstance(err, CatalogError):
        err.row_errors = []
    return err


class ConfigError(ClerkError):
    message = "配置错误：{}"


class DatabaseError(ClerkError):
    message = "{}"


class NotFound(ClerkError):
    message = "未找到：{}"


class InvalidInput(ClerkError):
    message = "{}"


class InvalidIdentifier(InvalidInput):
    message = "号码无效：{}"


class CatalogError(ClerkError):
    message = "事项清单有误：{}"

    def __init__(self, summary, row_errors=None):
        super().__init__(summary)
        self.row_errors = list(row_errors or [])

    def __str__(self):
        base = super().__str__()
        if not self.row_errors:
            return base
        return base + "\n" + "\n".join(self.row_errors)


class WorkflowError(ClerkError):
    message = "当前状态不允许此操作：{}"


class IllegalTransition(WorkflowError):
    message = "办件 {case_no} 当前为“{state}”，不能执行“{action}”"


class MissingRight(WorkflowError):
    message = "工作人员 {clerk} 没有对 {partner} 的“{right}”，不能执行“{action}”"


class MaterialsIncomplete(WorkflowError):
    message = "缺少必需材料：{}"


class OriginalsNotVerified(WorkflowError):
    message = "以下材料的原件尚未核验：{}"


class AuthError(ClerkError):
    message = "登录失败：{}"


class ScanError(ClerkError):
    message = "扫描失败：{}"


class ImageError(ClerkError):
    message = "无法读取文件 {file}：{reason}"


class OcrError(ClerkError):
    message = "文字识别失败：{}"


class ExportError(ClerkError):
    message = "生成文书失败：{}"


class PrintError(ClerkError):
    message = "打印失败：{}"


class Cancelled(ClerkError):
    message = "操作已取消"

"""The shortcut list shown by F1 (also printed next to each button and menu entry)."""

SHORTCUTS = """\
全局
  F2 首页    Ctrl+N 新建收件    Ctrl+F 查找办件    F6 统计    F9 本机设置
  F5 刷新    Esc 取消后台任务    Ctrl+L 注销    Ctrl+Q 退出    F1 本帮助

收件向导
  Alt+1 … Alt+6 跳到第 1–6 步    Alt+← 上一步    Alt+→ 下一步
  Enter 移到下一栏（最后一栏时进入下一步）
  第 1 步：在搜索框输入名称、编码或拼音首字母（如 hkqy），↓ 进入结果，Enter 选定
  第 3 步：↑↓ 选材料，P 已提供  M 缺少  R 容缺  E 电子证照  N 不适用  D 不符合要求
           V 已提供且原件已核验    Ctrl+S 保存收件（缺材料时出具一次性告知书）
  第 4 步：F7 扫描仪  F8 高拍仪  Ctrl+I 导入文件
           ←→ 选页  1–9 归入第几项材料  R 旋转  Delete 删除  Ctrl+←/→ 调整顺序
  第 5 步：Ctrl+T 预览流转单    Ctrl+B 打包
  第 6 步：扫码枪扫邮件号后自动回车寄出    Ctrl+P 打印面单    Ctrl+R 打印受理回执

预览
  PgUp/PgDn 翻页    +/- 缩放    Ctrl+P 打印    Esc 关闭
"""

"""What the login page says, by code: the agent's and the card's answers (shown by the
page's script) and the hall's refusals (raised as LoginRefused)."""

#: shown by the login page's script, keyed by the agent's error code
PAGE = {
    "agent_unreachable": "未检测到UKey助手，请先安装并启动UKey助手后重试",
    "agent_refused": "UKey助手拒绝了本网站的请求，请检查助手配置的网厅地址",
    "no_reader": "未检测到UKey，请插入UKey后重试",
    "no_pin": "请输入UKey密码（PIN）",
    "wrong_pin": "UKey密码（PIN）错误，还可尝试{tries_left}次",
    "pin_blocked": "UKey已锁定（PIN错误次数过多），请到中心柜面解锁",
    "card_error": "UKey读取失败，请重新插入UKey后重试",
    "challenge_failed": "无法取得登录验证码，请刷新页面后重试",
    "missing_fields": "请输入单位账号、登录名和密码",
}

#: the hall's refusals after the form is posted
NO_SIGNATURE = "未取得UKey签名，请插入UKey、输入PIN后重新登录"
BAD_CHALLENGE = "UKey登录请求无效，请刷新页面后重试"
REPLAYED = "该UKey登录请求已使用过，请重新登录"
EXPIRED = "UKey登录请求已过期，请重新登录"
BAD_CERTIFICATE = "无法识别UKey中的证书，请到中心柜面办理"
NOT_REGISTERED = "该单位尚未登记UKey证书，请到中心柜面办理"
WRONG_CARD = "UKey与单位账号不符，请插入本单位的UKey"
REVOKED = "该UKey证书已注销，不能登录，请到中心柜面办理"
CERTIFICATE_EXPIRED = "UKey证书已过期，请到中心柜面更换"
BAD_SIGNATURE = "UKey签名验证失败，请重新登录"

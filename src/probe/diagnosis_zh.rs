//! The summary and next step of each diagnosis in Simplified Chinese, arm for arm with the
//! English in `diagnosis.rs` (a code missing here does not compile). Commands, options and
//! codes stay as they are typed.

use super::diagnosis::{DiagnosisCode, Facts, offered_in, proxy_host, secs};
use crate::i18n::Lang;

pub(super) fn texts(code: DiagnosisCode, f: &Facts) -> (String, String) {
    use DiagnosisCode as C;
    let proxy = &f.proxy;
    let target = &f.target;
    let detail = f
        .detail
        .as_ref()
        .map_or("无详细信息", |d| d.get(Lang::ZhCn));
    let status = f.status_line.as_deref().unwrap_or("错误状态");
    let proxy_host = proxy_host(proxy);
    let offered = offered_in(Lang::ZhCn, &f.offered);
    match code {
        C::Ok => (
            format!(
                "流量可以出站：{proxy} 已打开到 {target} 的隧道，服务器的证书受信任，并且它通过 HTTPS 作出了应答。"
            ),
            "无需修复。请保留此结果及其 curl 命令，作为以后测试的基准。".to_string(),
        ),
        C::ProxyDnsFailed => (
            format!("无法解析代理名称 {proxy_host}（{detail}）。"),
            format!(
                "请检查“HTTP 代理”字段是否有拼写错误，并确认本设备的 DNS 服务器（共享设置）能够解析 \
                 {proxy_host}；或者输入代理的 IP 地址。"
            ),
        ),
        C::ProxyUnreachable => (
            format!("{proxy} 上没有任何服务接受 TCP 连接（{detail}）。"),
            format!(
                "请对照代理的配置检查地址和端口（cat /etc/sf/iprep_proxy.conf），确认代理服务正在该端口上运行，\
                 并确认本设备与代理之间没有防火墙或路由阻止连接；netstat -na | grep {proxy_host} 可显示连接尝试。"
            ),
        ),
        C::ConnectTimeout => (
            format!(
                "与 {proxy} 的 TCP 握手未在 {} 秒内完成：SYN 没有得到应答。",
                secs(f.connect_timeout_s)
            ),
            format!(
                "路径上的防火墙或 ACL 丢弃了 SYN、路由错误，或者代理主机已关闭。请在管理接口上抓包\
                 （tcpdump -n host {proxy_host}）：只有 SYN 重传而没有 SYN-ACK 即可确认；\
                 然后检查本设备与代理之间的路由和 ACL。"
            ),
        ),
        C::ProxyNoResponse => (
            format!(
                "{proxy} 接受了连接，但未在 {} 秒内对 CONNECT 发送完整的应答（{detail}）。",
                secs(f.read_timeout_s)
            ),
            "请确认此端口是代理的 HTTP 侦听端口（而不是其他服务），并在代理日志中查找此 CONNECT 请求：\
             代理可能已过载，或卡在其上游。"
                .to_string(),
        ),
        C::MalformedResponse => (
            format!("来自 {proxy} 的应答不是有效的 HTTP 响应：{detail}。"),
            "该端口可能属于其他服务，或者路径中的设备改写了流量。请检查代理端口：\
             它必须是支持 CONNECT 的 HTTP 代理。"
                .to_string(),
        ),
        C::ProxyAuthRequired => (
            format!("代理要求身份验证（407，提供 {offered}），但未提供凭据。"),
            "请启用“使用代理身份验证”，并输入代理帐户的用户名和密码（使用 CLI 时：-U USER）。"
                .to_string(),
        ),
        C::ProxyAuthFailed => (
            format!(
                "代理拒绝了凭据：应答 {} 次后仍返回 407（代理提供 {offered}）。",
                f.rounds
            ),
            "请与代理管理员核对用户名和密码（密码区分大小写；帐户可能已被锁定或不允许使用 CONNECT），\
             然后重新保存。"
                .to_string(),
        ),
        C::NtlmUnsupported => (
            format!("代理仅提供 {offered}（Windows 集成身份验证），FMC 不支持该方式。"),
            "请让代理管理员为本设备启用 Basic 或 Digest 身份验证，或允许本设备的地址无需身份验证即可通过。"
                .to_string(),
        ),
        C::ProxyDenied => (
            format!("代理拒绝了到 {target} 的隧道：{status}。"),
            format!(
                "403 来自代理的访问控制列表：请让代理管理员允许从本设备地址到 {target} 的 CONNECT，\
                 并在代理的访问日志中查看被拒绝的请求。"
            ),
        ),
        C::BadRequest => (
            format!("代理不接受该 CONNECT 请求：{status}。"),
            "该端口上的服务可能不是正向代理（Web 服务器或反向代理会以 400 应答 CONNECT），\
             或者它拒绝该目标名称。请检查代理地址和端口。"
                .to_string(),
        ),
        C::BadGateway => (
            format!("代理自身无法访问 {target}：{status}。"),
            format!(
                "代理自身的出站路径失败：其 DNS、上游防火墙，或拒绝该目标的 ACL（Cisco 技术说明将 502 \
                 与 403 一同列为代理 ACL 的症状）。请让代理管理员在其日志中查找 {target}。"
            ),
        ),
        C::ServiceUnavailable => (
            format!("代理无法提供到 {target} 的隧道：{status}。"),
            format!(
                "代理已过载、正在维护，或无法在上游访问 {target}。请检查代理日志及其到 {target} 的连通性，\
                 然后重新测试。"
            ),
        ),
        C::GatewayTimeout => (
            format!("代理连接 {target} 超时：{status}。"),
            format!(
                "代理到 {target} 的路径缓慢或被阻止：请检查其上游防火墙、DNS 和路由，以及其连接超时设置。"
            ),
        ),
        C::ProxyError => (
            format!("代理拒绝了到 {target} 的隧道：{status}。"),
            format!(
                "请在代理的日志和文档中查找此状态，并询问代理管理员为何拒绝到 {target} 的 CONNECT。"
            ),
        ),
        C::TunnelIdle => (
            format!(
                "代理已打开隧道，但未在 {} 秒内收到来自 {target} 的 TLS 应答（{detail}）。",
                secs(f.read_timeout_s)
            ),
            "隧道空闲说明路径中存在问题：流量检测挂起了连接、代理的空闲或连接超时，或者大小限制丢弃了\
             较大的 TLS 数据包。请检查代理的检测策略、超时和大小限制，并抓包（tcpdump）查看数据在何处中断。"
                .to_string(),
        ),
        C::ConnectionReset => (
            format!("到 {target} 的隧道内的连接被重置或关闭（{detail}）。"),
            "在大数据包（TLS 握手）之后立即被重置，通常表示路径上存在 MTU 问题，或者检测设备切断了流量。\
             请将管理接口的 MTU 与路径进行比较（ping -M do -s 1472 <proxy>），并检查本设备与代理之间的 \
             IPS/TLS 检测以及代理的日志。"
                .to_string(),
        ),
        C::TlsUntrusted => {
            let issuer = f.issuer.as_deref().unwrap_or("未知颁发者");
            (
                format!("为 {target} 提供的证书由 {issuer} 颁发，本设备不信任该颁发者。"),
                format!(
                    "执行 TLS 检测的代理会用自己的 CA 重新签署每个站点。如果 {issuer} 是您代理的 CA，\
                     请使用 --ca-file（服务器）或 --cacert（CLI）添加该 CA 证书（PEM）；\
                     否则说明路径中有设备在拦截连接。"
                ),
            )
        }
        C::TlsExpired => (
            format!(
                "为 {target} 提供的证书已过期或尚未生效（有效期至 {}）。",
                f.not_after.as_deref().unwrap_or("未知")
            ),
            "请先检查本设备的时钟（系统 > 配置 > 时间）：错误的时钟会使有效的证书看起来已过期。\
             如果时钟正确，则是服务器或执行检测的代理提供了过时的证书。"
                .to_string(),
        ),
        C::TlsNameMismatch => (
            format!("提供的证书未包含 {target}（{detail}）。"),
            "路径中有设备使用其他站点的证书作出了应答：配置错误的 TLS 检测代理、强制门户，或错误的目标名称。\
             请检查代理的检测策略和目标。"
                .to_string(),
        ),
        C::TlsFailed => (
            format!("通过隧道与 {target} 的 TLS 握手失败：{detail}。"),
            "请检查代理上的 TLS 检测（协议版本、密码套件）；如果指定了 --ca-file/--cacert 文件，也请检查该文件。"
                .to_string(),
        ),
    }
}

/// The MTU sentence appended to a reset's next step.
pub(super) fn mtu_sentence(iface: &str, mtu: &str) -> String {
    format!(
        "本设备通过 {iface} 访问代理，其 MTU 为 {mtu}：如果路径上任何链路的 MTU 更小并丢弃或黑洞大数据包，\
         请降低接口 MTU 或修复 PMTU 发现（ICMP“需要分片”消息必须能够通过）。"
    )
}

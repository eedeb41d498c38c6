package hosts

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// Sudo says how a user becomes root on a host.
type Sudo string

const (
	// SudoNone is root itself, which needs no sudo.
	SudoNone Sudo = "none"
	// SudoNoPassword is a user whose sudo asks for nothing.
	SudoNoPassword Sudo = "nopasswd"
	// SudoPassword is a user whose sudo asks for the user's password.
	SudoPassword Sudo = "password"
)

// User is an account that the run's key logs in to.
type User struct {
	// Name is the login name.
	Name string
	// Sudo says how the user becomes root.
	Sudo Sudo
	// Password is the user's password when Sudo is SudoPassword, else empty.
	Password string
}

// Host is one test machine.
type Host struct {
	// Name is the container name, which is also the host name.
	Name string
	// ContainerID is the Docker container id.
	ContainerID string
	// IP is the host's address on the run's network; it survives Stop and Start.
	IP string
	// SSHPort is the port sshd listens on.
	SSHPort int
	// MachineID is the host's /etc/machine-id, unique per host.
	MachineID string
	// HostPublicKey is sshd's ed25519 host key in authorized_keys form ("ssh-ed25519 AAAA").
	HostPublicKey string
	// KeyPath is the file holding PrivateKey.
	KeyPath string
	// PrivateKey is the OpenSSH private key every user of the host accepts.
	PrivateKey []byte
	// Users are the accounts of the host.
	Users []User
}

// User returns the account called name.
func (h Host) User(name string) (User, bool) {
	for _, u := range h.Users {
		if u.Name == name {
			return u, true
		}
	}
	return User{}, false
}

// inventory is the inventory.json that up.sh writes.
type inventory struct {
	Run        string          `json:"run"`
	Network    string          `json:"network"`
	Subnet     string          `json:"subnet"`
	Image      string          `json:"image"`
	Privileged bool            `json:"privileged"`
	KeyPath    string          `json:"keyPath"`
	Hosts      []inventoryHost `json:"hosts"`
}

type inventoryHost struct {
	Name          string          `json:"name"`
	ContainerID   string          `json:"containerId"`
	IP            string          `json:"ip"`
	SSHPort       int             `json:"sshPort"`
	MachineID     string          `json:"machineId"`
	HostPublicKey string          `json:"hostPublicKey"`
	KeyPath       string          `json:"keyPath"`
	Users         []inventoryUser `json:"users"`
}

type inventoryUser struct {
	Name         string `json:"name"`
	Sudo         Sudo   `json:"sudo"`
	PasswordFile string `json:"passwordFile"`
}

// parseInventory decodes inventory.json and checks that every host can be reached.
func parseInventory(data []byte) (*inventory, error) {
	var inv inventory
	if err := json.Unmarshal(data, &inv); err != nil {
		return nil, fmt.Errorf("decode inventory: %w", err)
	}
	if inv.Run == "" || len(inv.Hosts) == 0 {
		return nil, fmt.Errorf("inventory names no run or no hosts")
	}
	for _, h := range inv.Hosts {
		if h.Name == "" || h.IP == "" || h.SSHPort == 0 || h.KeyPath == "" {
			return nil, fmt.Errorf("inventory host %q lacks name, IP, SSH port or key", h.Name)
		}
		if !strings.HasPrefix(h.HostPublicKey, "ssh-ed25519 ") {
			return nil, fmt.Errorf("inventory host %s has no ed25519 host key", h.Name)
		}
	}
	return &inv, nil
}

// hosts resolves the inventory's hosts, reading key and password files once each.
func (inv *inventory) hosts() ([]Host, error) {
	files := map[string][]byte{}
	read := func(path string) ([]byte, error) {
		if b, ok := files[path]; ok {
			return b, nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		files[path] = b
		return b, nil
	}

	out := make([]Host, 0, len(inv.Hosts))
	for _, ih := range inv.Hosts {
		key, err := read(ih.KeyPath)
		if err != nil {
			return nil, err
		}
		users, err := resolveUsers(ih.Users, read)
		if err != nil {
			return nil, fmt.Errorf("users of %s: %w", ih.Name, err)
		}
		out = append(out, Host{
			Name: ih.Name, ContainerID: ih.ContainerID, IP: ih.IP, SSHPort: ih.SSHPort,
			MachineID: ih.MachineID, HostPublicKey: ih.HostPublicKey,
			KeyPath: ih.KeyPath, PrivateKey: key, Users: users,
		})
	}
	return out, nil
}

// resolveUsers turns inventory users into Users, reading password files.
func resolveUsers(in []inventoryUser, read func(string) ([]byte, error)) ([]User, error) {
	users := make([]User, 0, len(in))
	for _, iu := range in {
		u := User{Name: iu.Name, Sudo: iu.Sudo}
		if iu.PasswordFile != "" {
			pw, err := read(iu.PasswordFile)
			if err != nil {
				return nil, err
			}
			u.Password = strings.TrimSpace(string(pw))
		}
		users = append(users, u)
	}
	return users, nil
}
